#!/usr/bin/env python3
"""Generates the C programs of check_header.sh from the oracle header.

usage: gen_header_checks.py ORACLE_HEADER OUT_DIR
writes values.c, names.txt, names.c, protos.c, layout.c into OUT_DIR.
"""
import re
import sys

oracle, out = sys.argv[1], sys.argv[2]
raw = open(oracle).read()
nocomment = re.sub(r'/\*.*?\*/', ' ', raw, flags=re.S)
nocomment = re.sub(r'//[^\n]*', ' ', nocomment)

# ---- (a) #define values -------------------------------------------------
NOT_VALUES = {'SQLITE_EXTERN', 'SQLITE_API', 'SQLITE_CDECL', 'SQLITE_APICALL',
              'SQLITE_STDCALL', 'SQLITE_CALLBACK', 'SQLITE_SYSAPI',
              'SQLITE_DEPRECATED', 'SQLITE_EXPERIMENTAL'}
defines = []
seen = set()
for line in nocomment.split('\n'):
    m = re.match(r'\s*#\s*define\s+(SQLITE_\w+)(\(?)\s*(.*)$', line)
    if not m or m.group(2) == '(':
        continue
    name, value = m.group(1), m.group(3).strip()
    if not value or name in NOT_VALUES or name in seen:
        continue
    seen.add(name)
    defines.append((name, value))
with open(f'{out}/values.c', 'w') as f:
    f.write('#include <stdio.h>\n#include <stdint.h>\n#include "sqlite3.h"\nint main(void){\n')
    for name, value in defines:
        f.write(f'#ifdef {name}\n')
        if name == 'SQLITE_SOURCE_ID':
            f.write(f'  printf("{name} %.60s\\n", {name});\n')
        elif value.startswith('"'):
            f.write(f'  printf("{name} %s\\n", {name});\n')
        else:
            f.write(f'  printf("{name} %lld\\n", (long long)(intptr_t)({name}));\n')
        f.write(f'#else\n  printf("{name} UNDEFINED\\n");\n#endif\n')
    f.write('  return 0;\n}\n')

# ---- (b), (c) declarations ----------------------------------------------
lines = [l for l in nocomment.split('\n') if not l.strip().startswith('#')]
text = re.sub(r'\s+', ' ', ' '.join(lines))
decls = []
for stmt in text.split(';'):
    if 'SQLITE_API' not in stmt:
        continue
    stmt = re.sub(r'^.*?SQLITE_API', 'SQLITE_API', stmt.strip())
    decls.append(stmt)
names, protos, data = [], [], []
for d in decls:
    body = re.sub(r'\b(SQLITE_API|SQLITE_DEPRECATED|SQLITE_EXPERIMENTAL)\b', '', d).strip()
    m = re.search(r'\b(sqlite3\w*)\s*\(', body)
    if m and 'SQLITE_EXTERN' not in body:
        name = m.group(1)
        names.append(name)
        ptr = body[:m.start()] + f'(*p_{name})' + body[m.end() - 1:]
        protos.append(f'{ptr} = {name};')
    else:
        m = re.search(r'\b(sqlite3\w*)\s*(\[\s*\])?\s*$', body)
        if m:
            names.append(m.group(1))
            data.append(m.group(1))
with open(f'{out}/names.txt', 'w') as f:
    f.write('\n'.join(names) + '\n')
with open(f'{out}/names.c', 'w') as f:
    f.write('#include "sqlite3.h"\n')
with open(f'{out}/protos.c', 'w') as f:
    f.write('#include "sqlite3.h"\n')
    f.write('\n'.join(protos) + '\n')
    f.write('const char *p_sqlite3_version = sqlite3_version;\n')
    f.write('char **p_sqlite3_temp_directory = &sqlite3_temp_directory;\n')
    f.write('char **p_sqlite3_data_directory = &sqlite3_data_directory;\n')
    f.write('sqlite3_destructor_type p_static = SQLITE_STATIC, p_transient = SQLITE_TRANSIENT;\n')

# ---- (d) struct layouts -------------------------------------------------
def split_top(body):
    """Split a struct body on ';' at brace/paren depth 0."""
    parts, depth, cur = [], 0, ''
    for ch in body:
        if ch in '{(':
            depth += 1
        elif ch in '})':
            depth -= 1
        if ch == ';' and depth == 0:
            parts.append(cur.strip())
            cur = ''
        else:
            cur += ch
    return [p for p in parts if p]

def field_name(decl):
    if '{' in decl:
        tail = decl[decl.rindex('}') + 1:]
        return re.findall(r'\w+', tail)[-1]
    m = re.search(r'\(\s*\*+\s*(\w+)\s*\)', decl)
    if m:
        return m.group(1)
    decl = re.sub(r'\[[^\]]*\]', '', decl)
    return re.findall(r'\w+', decl)[-1]

flat = re.sub(r'^\s*#.*$', '', nocomment, flags=re.M)
structs = []
for m in re.finditer(r'struct\s+(\w+)\s*\{', flat):
    i, depth = m.end(), 1
    while depth:
        depth += {'{': 1, '}': -1}.get(flat[i], 0)
        i += 1
    body = flat[m.end():i - 1]
    structs.append((m.group(1), [field_name(p) for p in split_top(body)]))
with open(f'{out}/layout.c', 'w') as f:
    f.write('#include <stdio.h>\n#include <stddef.h>\n#include "sqlite3.h"\nint main(void){\n')
    for name, fields in structs:
        f.write(f'  printf("{name} size %zu\\n", sizeof(struct {name}));\n')
        for fld in fields:
            f.write(f'  printf("{name}.{fld} %zu\\n", offsetof(struct {name}, {fld}));\n')
    f.write('  return 0;\n}\n')
