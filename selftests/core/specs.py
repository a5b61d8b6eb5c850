#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check each family's YAML spec (Documentation/netlink/specs/kcloud_*.yaml):
valid in the kernel's genetlink schema, in agreement with the uapi header's
enums, and with what the loaded module really registers (ops, do/dump,
admin permission, multicast groups); every op that changes state (its name
does not start with "get") is admin-only. Prints TAP."""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kcgenl  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FAMILIES = ["kcloud_vpc", "kcloud_bs", "kcloud_meter"]

n = 0
failed = 0


def result(ok, desc, diag=()):
    global n, failed
    n += 1
    if not ok:
        failed += 1
    print("%s %d %s" % ("ok" if ok else "not ok", n, desc))
    for d in diag:
        print("# " + str(d))


def skip(desc, why):
    global n
    n += 1
    print("ok %d %s # SKIP %s" % (n, desc, why))


def c_name(prefix, name):
    return (prefix + name).upper().replace("-", "_")


def header_enums(path):
    """{C name: value} for every enum in a uapi header (sequential values,
    explicit '= N' honoured)."""
    text = open(path).read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    values = {}
    for body in re.findall(r"enum\s+\w+\s*\{(.*?)\}", text, flags=re.S):
        val = 0
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            m = re.match(r"(\w+)\s*(?:=\s*(.+))?$", item, flags=re.S)
            if not m:
                continue
            if m.group(2) is not None:
                expr = m.group(2).strip()
                try:
                    val = int(eval(re.sub(r"(\d+)U?L*L?", r"\1", expr), {}, dict(values)))
                except Exception:
                    val = None
            values[m.group(1)] = val
            val = val + 1 if isinstance(val, int) else None
    return values


def schema_path():
    for p in (os.environ.get("KCLOUD_GENL_SCHEMA", ""),
              os.path.join(TOP, "..", "shared", "netlink-schema", "genetlink.yaml"),
              os.path.join(TOP, "Documentation", "netlink", "genetlink.yaml")):
        if p and os.path.exists(p):
            return p
    return None


def main():
    import yaml
    try:
        import jsonschema
    except ImportError:
        jsonschema = None

    print("TAP version 13")
    sp = schema_path()
    schema = yaml.safe_load(open(sp)) if sp else None
    sock = kcgenl.GenlSocket()

    for fam in FAMILIES:
        spec_file = os.path.join(TOP, "Documentation", "netlink", "specs", fam + ".yaml")
        spec = yaml.safe_load(open(spec_file))
        hdr = os.path.join(TOP, "kmod", "include", "uapi", "linux", fam + ".h")
        enums = header_enums(hdr)

        if schema is None or jsonschema is None:
            skip("%s: spec valid in the genetlink schema" % fam,
                 "no genetlink.yaml schema found (looked in $KCLOUD_GENL_SCHEMA, "
                 "../shared/netlink-schema/, Documentation/netlink/) or no python3-jsonschema")
        else:
            try:
                jsonschema.validate(spec, schema)
                result(True, "%s: spec valid in the genetlink schema" % fam)
            except jsonschema.ValidationError as e:
                result(False, "%s: spec valid in the genetlink schema" % fam,
                       [e.message, "at " + "/".join(str(p) for p in e.absolute_path)])

        # Ops and attributes agree with the uapi header.
        ops = spec["operations"]
        oprefix = ops.get("name-prefix", fam.replace("_", "-") + "-cmd-")
        diag = []
        spec_ops = {}
        val = 0
        for op in ops["list"]:
            val = op.get("value", val)
            cn = c_name(oprefix, op["name"])
            if enums.get(cn) != val:
                diag.append("%s: header has %s, spec says %s" % (cn, enums.get(cn), val))
            spec_ops[val] = op
            val += 1
        hdr_cmds = {k for k in enums if k.startswith(c_name(oprefix, ""))
                    and not k.startswith("__") and not k.endswith("_MAX")}
        missing = hdr_cmds - {c_name(oprefix, op["name"]) for op in ops["list"]}
        if missing:
            diag.append("commands in the header but not in the spec: " + ", ".join(sorted(missing)))
        for aset in spec["attribute-sets"]:
            if "subset-of" in aset:
                continue
            aprefix = aset.get("name-prefix", fam.replace("_", "-") + "-a-")
            val = 0
            for attr in aset["attributes"]:
                val = attr.get("value", val)
                cn = c_name(aprefix, attr["name"])
                if enums.get(cn) != val:
                    diag.append("%s: header has %s, spec says %s" % (cn, enums.get(cn), val))
                val += 1
        result(not diag, "%s: spec agrees with the uapi header" % fam, diag)

        # State-changing ops are admin-only in the spec.
        diag = ["%s changes state but has no admin-perm" % op["name"]
                for v, op in spec_ops.items()
                if v and not op["name"].startswith("get") and "admin-perm" not in op.get("flags", [])]
        result(not diag, "%s: every state-changing op is admin-only" % fam, diag)

        # Agreement with the module.
        try:
            kf = sock.family(fam)
        except kcgenl.NetlinkError as e:
            result(False, "%s: registered by the loaded module" % fam, [str(e)])
            continue
        diag = []
        for v, op in spec_ops.items():
            if v == 0:
                continue
            if v not in kf.ops:
                diag.append("op %s (%d) is in the spec but not registered" % (op["name"], v))
                continue
            fl = kf.ops[v]
            if bool(fl & kcgenl.GENL_CMD_CAP_DO) != ("do" in op):
                diag.append("op %s: do handler %s in the module, %s in the spec" %
                            (op["name"], bool(fl & kcgenl.GENL_CMD_CAP_DO), "do" in op))
            if bool(fl & kcgenl.GENL_CMD_CAP_DUMP) != ("dump" in op):
                diag.append("op %s: dump handler %s in the module, %s in the spec" %
                            (op["name"], bool(fl & kcgenl.GENL_CMD_CAP_DUMP), "dump" in op))
            admin = bool(fl & (kcgenl.GENL_UNS_ADMIN_PERM | kcgenl.GENL_ADMIN_PERM))
            if admin != ("admin-perm" in op.get("flags", [])):
                diag.append("op %s: admin %s in the module, %s in the spec" %
                            (op["name"], admin, "admin-perm" in op.get("flags", [])))
        for v in kf.ops:
            if v not in spec_ops:
                diag.append("op %d is registered but not in the spec" % v)
        spec_groups = {g["name"] for g in spec.get("mcast-groups", {}).get("list", [])}
        if spec_groups != set(kf.groups):
            diag.append("multicast groups: module %s, spec %s" % (sorted(kf.groups), sorted(spec_groups)))
        result(not diag, "%s: the module registers what the spec says" % fam, diag)

    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
