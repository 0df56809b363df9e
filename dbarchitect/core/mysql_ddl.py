"""describe_schema's DDL-like text for a MySQL/MariaDB table: reads like SHOW CREATE TABLE, from
the snapshot alone (no extra round trip per table)."""

from __future__ import annotations

from dbarchitect.core.models import Table
from dbarchitect.core.sql.mysql_ident import quote_mysql as qi


def _human_bytes(n: int) -> str:
    from dbarchitect.core.describe import human_bytes

    return human_bytes(n)


def mysql_table_ddl(t: Table) -> str:
    lines = []
    for c in t.columns:
        parts = [f"  {qi(c.name)} {c.type}"]
        m = c.mysql
        if m and m.charset and t.mysql and m.charset != t.mysql.charset:
            parts.append(f"CHARACTER SET {m.charset}")
        if c.collation and t.mysql and c.collation != t.mysql.collation:
            parts.append(f"COLLATE {c.collation}")
        if c.generated:
            parts.append(f"GENERATED ALWAYS AS ({c.generated})")
            if m and "stored" in m.extra.lower():
                parts.append("STORED")
        parts.append("NOT NULL" if c.not_null else "NULL")
        if c.default is not None and not c.generated:
            parts.append(f"DEFAULT {c.default}")
        if m and m.on_update:
            parts.append(f"ON UPDATE {m.on_update}")
        if m and m.auto_increment:
            parts.append("AUTO_INCREMENT")
        if c.comment:
            parts.append("COMMENT '" + c.comment.replace("'", "''") + "'")
        lines.append(" ".join(parts))
    for i in sorted(t.indexes, key=lambda x: (not x.primary, not x.unique, x.name)):
        lines.append(f"  {i.definition}")
    for con in t.constraints:
        if con.kind in ("foreign_key", "check"):
            lines.append(f"  CONSTRAINT {qi(con.name)} {con.definition}")
    opts = []
    if t.mysql:
        if t.mysql.engine:
            opts.append(f"ENGINE={t.mysql.engine}")
        if t.mysql.auto_increment:
            opts.append(f"AUTO_INCREMENT={t.mysql.auto_increment}")
        if t.mysql.charset:
            opts.append(f"DEFAULT CHARSET={t.mysql.charset}")
        if t.mysql.collation:
            opts.append(f"COLLATE={t.mysql.collation}")
        if t.mysql.row_format:
            opts.append(f"ROW_FORMAT={t.mysql.row_format.upper()}")
    if t.comment:
        opts.append("COMMENT='" + t.comment.replace("'", "''") + "'")
    body = f"CREATE TABLE {qi(t.schema_name)}.{qi(t.name)} (\n" + ",\n".join(lines) + "\n) " + " ".join(opts)
    if t.mysql and t.mysql.partitions:
        parts = []
        seen = set()
        for p in t.mysql.partitions:
            if p.name in seen:
                continue
            seen.add(p.name)
            bound = ""
            if p.description:
                bound = (
                    f" VALUES IN ({p.description})"
                    if p.method.upper().startswith("LIST")
                    else f" VALUES LESS THAN ({p.description})"
                    if p.method.upper().startswith("RANGE")
                    else ""
                )
            parts.append((f"  PARTITION {qi(p.name)}{bound}", f"  -- ~{p.rows} rows"))
        rendered = [f"{head}{',' if k < len(parts) - 1 else ''}{note}" for k, (head, note) in enumerate(parts)]
        body += f"\nPARTITION BY {t.partition_key} (\n" + "\n".join(rendered) + "\n)"
    stats = (
        f"-- ~{max(t.estimated_rows, 0)} rows (InnoDB estimate), data {_human_bytes(t.size_bytes)}, "
        f"total {_human_bytes(t.total_bytes)}"
    )
    return f"{stats}\n{body};"
