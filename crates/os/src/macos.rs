//! AppKit and Foundation: observers on the distributed and the workspace notification
//! centres, whose notifications the main thread's run loop delivers.

use std::ptr::NonNull;

use block2::RcBlock;
use objc2_app_kit::{NSWorkspace, NSWorkspaceWillSleepNotification};
use objc2_foundation::{NSDistributedNotificationCenter, NSNotification, NSString};

/// Calls `on_notification(name)` for the distributed notification `distributed` (the screen
/// lock's) and for the workspace's will-sleep notification. Call from the main thread; the
/// observers live as long as the process.
pub fn observe_lock_and_sleep(distributed: &str, on_notification: impl Fn(&str) + 'static) {
    let block = RcBlock::new(move |notification: NonNull<NSNotification>| {
        // SAFETY: the notification centre passes a valid notification for the duration of
        // the block.
        let name = unsafe { notification.as_ref() }.name().to_string();
        on_notification(&name);
    });
    let locked = NSString::from_str(distributed);
    // SAFETY: no object filter and no queue (delivered on the posting thread, the main run
    // loop's); the block only calls `on_notification`. The observers are never removed.
    unsafe {
        let observer = NSDistributedNotificationCenter::defaultCenter()
            .addObserverForName_object_queue_usingBlock(Some(&*locked), None, None, &block);
        std::mem::forget(observer);
        let observer = NSWorkspace::sharedWorkspace()
            .notificationCenter()
            .addObserverForName_object_queue_usingBlock(
                Some(NSWorkspaceWillSleepNotification),
                None,
                None,
                &block,
            );
        std::mem::forget(observer);
    }
}
