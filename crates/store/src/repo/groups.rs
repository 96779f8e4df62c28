//! a partner's groups of users, to grant or revoke a habilitation to several users at
//! once.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::model::UserGroup;
use crate::store::on_backend;
use crate::{Result, Store};

/// Groups of a partner's users.
pub trait GroupRepo: Send + Sync {
    /// a new group of the partner's users; `Conflict` if the name is taken.
    fn create_group(
        &self,
        partner_id: i64,
        name: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<UserGroup>> + Send;
    /// The partner's groups with their members, by name.
    fn groups(&self, partner_id: i64) -> impl Future<Output = Result<Vec<UserGroup>>> + Send;
    /// Deletes a group (its members' habilitations stay); false if there was none.
    fn delete_group(&self, group_id: i64) -> impl Future<Output = Result<bool>> + Send;
    /// Adds (`true`) or removes (`false`) a member; returns whether anything changed.
    fn set_group_member(
        &self,
        group_id: i64,
        user_id: i64,
        member: bool,
    ) -> impl Future<Output = Result<bool>> + Send;
}

impl GroupRepo for Store {
    async fn create_group(
        &self,
        partner_id: i64,
        name: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<UserGroup> {
        let id: i64 = on_backend!(self, |db| {
            sqlx::query_scalar(
                "INSERT INTO user_groups (partner_id, name, created_by, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(partner_id)
            .bind(name)
            .bind(by)
            .bind(now)
            .fetch_one(db.pool())
            .await
            .map_err(crate::error::conflict_as("groupe (nom)"))
        })?;
        Ok(UserGroup {
            id,
            name: name.to_owned(),
            members: Vec::new(),
            created_by: by.to_owned(),
            created_at: now,
        })
    }

    async fn groups(&self, partner_id: i64) -> Result<Vec<UserGroup>> {
        type Row = (i64, String, String, DateTime<Utc>, Option<String>);
        let rows: Vec<Row> = on_backend!(self, |db| {
            sqlx::query_as(
                "SELECT g.id, g.name, g.created_by, g.created_at, u.identifiant \
                 FROM user_groups g \
                 LEFT JOIN user_group_members m ON m.group_id = g.id \
                 LEFT JOIN users u ON u.id = m.user_id \
                 WHERE g.partner_id = $1 ORDER BY g.name, u.identifiant",
            )
            .bind(partner_id)
            .fetch_all(db.pool())
            .await
        })?;
        let mut out: Vec<UserGroup> = Vec::new();
        for (id, name, created_by, created_at, member) in rows {
            match out.last_mut().filter(|g| g.id == id) {
                Some(g) => g.members.extend(member),
                None => out.push(UserGroup {
                    id,
                    name,
                    members: member.into_iter().collect(),
                    created_by,
                    created_at,
                }),
            }
        }
        Ok(out)
    }

    async fn delete_group(&self, group_id: i64) -> Result<bool> {
        on_backend!(self, |db| {
            let mut tx = db.pool().begin().await?;
            sqlx::query("DELETE FROM user_group_members WHERE group_id = $1")
                .bind(group_id)
                .execute(&mut *tx)
                .await?;
            let done = sqlx::query("DELETE FROM user_groups WHERE id = $1")
                .bind(group_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(done.rows_affected() > 0)
        })
    }

    async fn set_group_member(&self, group_id: i64, user_id: i64, member: bool) -> Result<bool> {
        on_backend!(self, |db| {
            let done = if member {
                sqlx::query(
                    "INSERT INTO user_group_members (group_id, user_id) VALUES ($1, $2) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(group_id)
                .bind(user_id)
                .execute(db.pool())
                .await?
            } else {
                sqlx::query("DELETE FROM user_group_members WHERE group_id = $1 AND user_id = $2")
                    .bind(group_id)
                    .bind(user_id)
                    .execute(db.pool())
                    .await?
            };
            Ok(done.rows_affected() > 0)
        })
    }
}
