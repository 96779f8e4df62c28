#!/usr/bin/env python3
"""Checks the group policy templates beside this script: guichet.admx and its ADML files.

- every file is well-formed XML in the PolicyDefinitions namespace;
- every $(string.X) and $(presentation.X) of the ADMX exists in each ADML, and each ADML
  defines nothing the ADMX does not use (the languages stay in step);
- every presentation control points at an element of its policy, of a matching kind, and
  every element has its control;
- categories and supportedOn references resolve; policies are machine policies only;
- the registry values written are exactly the contract the app reads
  (src-tauri/src/os_policy.rs): the app refuses any other value under the key.

Standard library only. Prints what it checked; exits 1 on any problem.
Usage: python3 installer/windows/check_admx.py
"""

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ADMX = HERE / "guichet.admx"
LANGUAGES = ("fr-FR", "en-US")
NS = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"

KEY = r"Software\Policies\Guichet"
PROFILES_KEY = KEY + r"\Profiles"

# ADMX element kind -> ADML presentation control(s) that may show it.
CONTROLS = {
    "decimal": {"decimalTextBox"},
    "longDecimal": {"longDecimalTextBox"},
    "text": {"textBox", "comboBox"},
    "multiText": {"multiTextBox"},
    "list": {"listBox"},
    "enum": {"dropdownList"},
    "boolean": {"checkBox"},
}

REF = re.compile(r"\$\((string|presentation)\.([^)]*)\)")


def tag(element):
    """Local name of an element, or None if it is outside the PolicyDefinitions namespace."""
    if not element.tag.startswith("{" + NS + "}"):
        return None
    return element.tag[len(NS) + 2 :]


def q(name):
    return "{%s}%s" % (NS, name)


def same_key(a, b):
    return (a or "").lower() == b.lower()


class Checker:
    def __init__(self):
        self.errors = []

    def error(self, where, message):
        self.errors.append("%s: %s" % (where, message))

    def parse(self, path):
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError) as e:
            self.error(path.relative_to(HERE), "not readable as XML: %s" % e)
            return None
        if tag(root) is None:
            self.error(path.relative_to(HERE), "root element outside the namespace %s" % NS)
            return None
        return root

    def check_admx(self, root):
        """Returns (string refs, presentation refs, {policy name: policy element})."""
        where = ADMX.name
        if tag(root) != "policyDefinitions":
            self.error(where, "root is <%s>, not <policyDefinitions>" % tag(root))
        strings, presentations = set(), set()
        for element in root.iter():
            for value in element.attrib.values():
                for kind, name in REF.findall(value):
                    (strings if kind == "string" else presentations).add(name)

        categories = {c.get("name") for c in root.iter(q("category"))}
        supported = {d.get("name") for d in root.iter(q("definition"))}
        for category in root.iter(q("category")):
            parent = category.find(q("parentCategory"))
            if parent is not None and parent.get("ref") not in categories:
                self.error(where, "category %s: unknown parent %s" % (category.get("name"), parent.get("ref")))

        policies = {}
        for policy in root.iter(q("policy")):
            name = policy.get("name")
            at = "%s: policy %s" % (where, name)
            if name in policies:
                self.error(at, "defined twice")
            policies[name] = policy
            if policy.get("class") != "Machine":
                self.error(at, 'class is "%s", not "Machine"' % policy.get("class"))
            parent = policy.find(q("parentCategory"))
            if parent is None or parent.get("ref") not in categories:
                self.error(at, "no parentCategory among %s" % sorted(categories))
            on = policy.find(q("supportedOn"))
            if on is None or on.get("ref") not in supported:
                self.error(at, "no supportedOn among %s" % sorted(supported))
            elements = policy.find(q("elements"))
            ids = [e.get("id") for e in (elements if elements is not None else [])]
            if len(ids) != len(set(ids)):
                self.error(at, "element ids repeated: %s" % ids)
            has_presentation = policy.get("presentation") is not None
            if ids and not has_presentation:
                self.error(at, "has elements but no presentation")
            if has_presentation and not ids:
                self.error(at, "has a presentation but no elements")
        return strings, presentations, policies

    def check_contract(self, policies):
        """The values written are the ones the app reads, of the right kind."""
        written = {}  # (key lower, value name lower) -> kind written
        shown = {}  # the same -> key\value as spelt in the ADMX, for messages

        def write(at, key, value, what):
            k = (key or "").lower()
            if k not in (KEY.lower(), PROFILES_KEY.lower()):
                self.error(at, "writes under %s, outside %s" % (key, KEY))
            if (k, (value or "").lower()) in written:
                self.error(at, "value %s\\%s written by two policies" % (key, value))
            written[(k, (value or "").lower())] = what
            shown[(k, (value or "").lower())] = "%s\\%s" % (key, value)

        for name, policy in policies.items():
            at = "%s: policy %s" % (ADMX.name, name)
            key = policy.get("key")
            if policy.get("valueName") is not None:
                write(at, key, policy.get("valueName"), "flag")
            elements = policy.find(q("elements"))
            for element in elements if elements is not None else []:
                kind = tag(element)
                element_key = element.get("key", key)
                if kind == "list":
                    write(at, element_key, "*", "list")
                    if not same_key(element_key, PROFILES_KEY):
                        self.error(at, "the list must be under %s" % PROFILES_KEY)
                    if element.get("explicitValue") != "true":
                        self.error(at, 'the list needs explicitValue="true" (value name = profile name)')
                    if element.get("additive") == "true":
                        self.error(at, "the list must not be additive: group policy owns it")
                else:
                    write(at, element_key, element.get("valueName"), kind)

        def expect(value, kind, key=KEY):
            found = written.get((key.lower(), value.lower()))
            if found != kind:
                self.error(ADMX.name, "contract: %s\\%s should be written as %s, found %s" % (key, value, kind, found))

        expect("IdleTimeoutSecs", "decimal")
        expect("AllowBundled", "flag")
        expect("AllowRememberPassword", "flag")
        expect("ExtraCaPem", "text")
        expect("*", "list", PROFILES_KEY)
        extra = set(written) - {
            (KEY.lower(), v.lower()) for v in ("IdleTimeoutSecs", "AllowBundled", "AllowRememberPassword", "ExtraCaPem")
        } - {(PROFILES_KEY.lower(), "*")}
        for pair in sorted(extra):
            self.error(ADMX.name, "contract: %s is not a value the app reads (it would refuse it)" % shown[pair])

        idle = policies.get("IdleTimeoutSecs")
        for element in idle.iter(q("decimal")) if idle is not None else []:
            if (element.get("minValue"), element.get("maxValue")) != ("60", "3600"):
                self.error(ADMX.name, "IdleTimeoutSecs: range should be 60..3600")
            if element.get("storeAsText") == "true":
                self.error(ADMX.name, "IdleTimeoutSecs: must be a REG_DWORD, not text")
        for flag in ("AllowBundled", "AllowRememberPassword"):
            policy = policies.get(flag)
            if policy is None:
                continue
            for state, number in (("enabledValue", "1"), ("disabledValue", "0")):
                decimal = policy.find("%s/%s" % (q(state), q("decimal")))
                if decimal is None or decimal.get("value") != number:
                    self.error(ADMX.name, "%s: %s should be the DWORD %s" % (flag, state, number))
        ca = policies.get("ExtraCaPem")
        if ca is not None and any(t.get("expandable") == "true" for t in ca.iter(q("text"))):
            self.error(ADMX.name, "ExtraCaPem: the app reads the path as is, it must not be expandable")

    def check_adml(self, language, root, strings, presentations, policies):
        where = "%s/guichet.adml" % language
        if tag(root) != "policyDefinitionResources":
            self.error(where, "root is <%s>, not <policyDefinitionResources>" % tag(root))
        defined = [s.get("id") for s in root.iter(q("string"))]
        for name in sorted({d for d in defined if defined.count(d) > 1}):
            self.error(where, "string %s defined twice" % name)
        for string in root.iter(q("string")):
            if not (string.text or "").strip():
                self.error(where, "string %s is empty" % string.get("id"))
        for name in sorted(strings - set(defined)):
            self.error(where, "string %s used by the ADMX is missing" % name)
        for name in sorted(set(defined) - strings):
            self.error(where, "string %s is not used by the ADMX" % name)

        tables = {p.get("id"): p for p in root.iter(q("presentation"))}
        ids = [p.get("id") for p in root.iter(q("presentation"))]
        for name in sorted({d for d in ids if ids.count(d) > 1}):
            self.error(where, "presentation %s defined twice" % name)
        for name in sorted(presentations - set(tables)):
            self.error(where, "presentation %s used by the ADMX is missing" % name)
        for name in sorted(set(tables) - presentations):
            self.error(where, "presentation %s is not used by the ADMX" % name)

        for name, policy in policies.items():
            ref = REF.fullmatch(policy.get("presentation") or "")
            if not ref or ref.group(2) not in tables:
                continue
            at = "%s: presentation %s (policy %s)" % (where, ref.group(2), name)
            elements = policy.find(q("elements"))
            kinds = {e.get("id"): tag(e) for e in (elements if elements is not None else [])}
            shown = set()
            for control in tables[ref.group(2)]:
                ref_id = control.get("refId")
                if ref_id is None:
                    continue  # a plain label
                if ref_id not in kinds:
                    self.error(at, "<%s refId=%s> names no element of the policy" % (tag(control), ref_id))
                    continue
                if tag(control) not in CONTROLS.get(kinds[ref_id], ()):
                    self.error(at, "<%s> cannot show a <%s> element" % (tag(control), kinds[ref_id]))
                if ref_id in shown:
                    self.error(at, "element %s shown twice" % ref_id)
                shown.add(ref_id)
            for missing in sorted(set(kinds) - shown):
                self.error(at, "element %s has no control" % missing)

    def run(self):
        admx = self.parse(ADMX)
        if admx is None:
            return
        strings, presentations, policies = self.check_admx(admx)
        self.check_contract(policies)
        for language in LANGUAGES:
            adml = self.parse(HERE / language / "guichet.adml")
            if adml is not None:
                self.check_adml(language, adml, strings, presentations, policies)
        print(
            "checked %s and %s: %d policies, %d strings, %d presentations"
            % (ADMX.name, ", ".join("%s/guichet.adml" % l for l in LANGUAGES), len(policies), len(strings), len(presentations))
        )


def main():
    checker = Checker()
    checker.run()
    for line in checker.errors:
        print("error: " + line, file=sys.stderr)
    if checker.errors:
        print("%d problem(s)" % len(checker.errors), file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
