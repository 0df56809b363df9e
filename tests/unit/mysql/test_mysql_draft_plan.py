"""draft_migration's MySQL planner on SHOW CREATE TABLE texts: ALGORITHM/LOCK per operation and server
version (instant ADD COLUMN: MySQL 8.0.12+ / MariaDB 10.3+; instant DROP COLUMN: 8.0.29+ / 10.4+;
RENAME COLUMN: 8.0+ / 10.5+; VARCHAR widening in place within the same length-byte count), refusals,
expand/contract, batched backfills, phase order and the rendered script."""

from __future__ import annotations

from dbarchitect.core.diff.mysql import Features, backfill_statements, ordered, parse_create, plan_mysql, render_mysql

USERS = """CREATE TABLE `users` (
  `id` int(11) NOT NULL,
  `email` varchar(50) DEFAULT NULL,
  `name` varchar(50) DEFAULT NULL,
  `bio` text DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `email` (`email`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"""

MARIA = Features("MariaDB", 101119)


def table(text: str):
    return parse_create("users", text)


def plan(new_text: str, features=MARIA, **kw):
    return plan_mysql({"users": table(USERS)}, {"users": table(new_text)}, features=features, **kw)


def stmts(p) -> list[str]:
    return [s for st in ordered(p.steps) for s in st.statements]


def test_parse_create_reads_columns_keys_and_constraints():
    t = parse_create("o", "CREATE TABLE `o` (\n  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,\n"
                          "  `s` enum('a','b,c') DEFAULT 'a',\n  `u` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n"
                          "  UNIQUE KEY `s_u` (`s`,`u`),\n  KEY `u` (`u`),\n"
                          "  CONSTRAINT `fk` FOREIGN KEY (`u`) REFERENCES `users` (`id`) ON DELETE CASCADE,\n"
                          "  CONSTRAINT `pos` CHECK (`u` > 0)\n) ENGINE=InnoDB AUTO_INCREMENT=5")  # fmt: skip
    assert t.columns["id"].type == "bigint(20) unsigned" and t.columns["id"].not_null
    assert t.columns["s"].type == "enum('a','b,c')"
    assert t.pk_columns == ["id"] and set(t.keys) == {"s_u", "u"}
    assert t.fks["fk"].endswith("ON DELETE CASCADE") and t.references() == {"users"}
    assert t.checks == {"pos": "CHECK (`u` > 0)"}


def test_add_column_instant_by_version():
    new = USERS.replace("  PRIMARY KEY", "  `age` int(11) DEFAULT NULL,\n  PRIMARY KEY")
    assert stmts(plan(new)) == ["ALTER TABLE users ADD COLUMN age int(11) DEFAULT NULL, ALGORITHM=INSTANT"]
    assert stmts(plan(new, Features("MariaDB", 100211)))[0].endswith("ALGORITHM=INPLACE, LOCK=NONE")
    assert stmts(plan(new, Features("MySQL", 80012)))[0].endswith("ALGORITHM=INSTANT")
    assert stmts(plan(new, Features("MySQL", 80011)))[0].endswith("ALGORITHM=INPLACE, LOCK=NONE")


def test_drop_column_refused_without_allow_data_loss_and_instant_by_version():
    new = USERS.replace("  `bio` text DEFAULT NULL,\n", "")
    p = plan(new)
    assert not p.steps and [(r.object, r.change) for r in p.refused] == [("users.bio", "drop column")]
    assert stmts(plan(new, allow_data_loss=True)) == ["ALTER TABLE users DROP COLUMN bio, ALGORITHM=INSTANT"]
    assert stmts(plan(new, Features("MariaDB", 100300), allow_data_loss=True))[0].endswith("ALGORITHM=INPLACE, LOCK=NONE")
    assert stmts(plan(new, Features("MySQL", 80028), allow_data_loss=True))[0].endswith("ALGORITHM=INPLACE, LOCK=NONE")
    assert stmts(plan(new, Features("MySQL", 80029), allow_data_loss=True))[0].endswith("ALGORITHM=INSTANT")
    assert ordered(plan(new, allow_data_loss=True).steps)[0].phase == "contract"


def test_varchar_widening_in_place_only_within_the_same_length_bytes():
    wider = USERS.replace("`email` varchar(50)", "`email` varchar(60)")
    assert stmts(plan(wider)) == ["ALTER TABLE users MODIFY COLUMN email varchar(60) DEFAULT NULL, ALGORITHM=INPLACE, LOCK=NONE"]
    # 50 -> 100 utf8mb4 characters crosses 255 bytes: the length prefix grows, the table is copied
    across = USERS.replace("`email` varchar(50)", "`email` varchar(100)")
    p = plan(across, online=False)
    assert stmts(p) == ["ALTER TABLE users MODIFY COLUMN email varchar(100) DEFAULT NULL, ALGORITHM=COPY, LOCK=SHARED"]
    assert p.steps[0].rewrites == ["users"] and p.hazards[0].code == "table-copy-blocks-writes"


def test_type_change_online_is_expand_contract_with_triggers_and_a_batched_backfill():
    p = plan(USERS.replace("`email` varchar(50)", "`email` varchar(100)"))
    steps = ordered(p.steps)
    assert [(s.phase, s.action) for s in steps] == [
        ("expand", "add-column"), ("expand", "create-sync-triggers"), ("migrate", "backfill"), ("contract", "swap-column")]
    assert steps[0].statements == ["ALTER TABLE users ADD COLUMN email__new varchar(100), ALGORITHM=INSTANT"]
    assert "WHERE id >= lo AND id < lo + 5000" in steps[2].statements[1]
    assert steps[3].statements[-1] == "ALTER TABLE users DROP COLUMN email, RENAME COLUMN email__new TO email, ALGORITHM=INPLACE, LOCK=NONE"
    assert "expand-contract" in p.patterns and "batched-backfill" in p.patterns


def test_default_only_change_is_instant():
    p = plan(USERS.replace("`name` varchar(50) DEFAULT NULL", "`name` varchar(50) DEFAULT 'x'"))
    assert stmts(p) == ["ALTER TABLE users ALTER COLUMN name SET DEFAULT 'x', ALGORITHM=INSTANT"]


def test_rename_offline_by_version():
    new = USERS.replace("`name` varchar(50)", "`full_name` varchar(50)")
    p = plan(new, online=False, renames={"users.name": "full_name"})
    assert stmts(p) == ["ALTER TABLE users RENAME COLUMN name TO full_name, ALGORITHM=INSTANT"]
    p = plan(new, Features("MariaDB", 100411), online=False, renames={"users.name": "full_name"})
    assert stmts(p) == ["ALTER TABLE users CHANGE COLUMN name full_name varchar(50) DEFAULT NULL, ALGORITHM=INPLACE, LOCK=NONE"]
    assert p.hazards[0].code == "rename-breaks-running-code"


def test_indexes_fulltext_lock_and_not_null_backfill():
    new = USERS.replace("  KEY `email` (`email`)", "  KEY `email` (`email`,`name`),\n  FULLTEXT KEY `bio` (`bio`)")
    s = stmts(plan(new))
    assert s == ["ALTER TABLE users DROP INDEX email, ALGORITHM=INPLACE, LOCK=NONE",
                 "ALTER TABLE users ADD KEY `email` (`email`,`name`), ALGORITHM=INPLACE, LOCK=NONE",
                 "ALTER TABLE users ADD FULLTEXT KEY `bio` (`bio`), ALGORITHM=INPLACE, LOCK=SHARED"]  # fmt: skip
    new = USERS.replace("  PRIMARY KEY", "  `plan` varchar(10) NOT NULL,\n  PRIMARY KEY")
    steps = ordered(plan(new, backfill={"users.plan": "'free'"}).steps)
    assert [s.action for s in steps] == ["add-column", "backfill", "set-not-null"]
    assert steps[0].statements == ["ALTER TABLE users ADD COLUMN plan varchar(10), ALGORITHM=INSTANT"]


def test_backfill_without_an_integer_key_loops_with_limit_and_the_script_uses_delimiter():
    t = parse_create("k", "CREATE TABLE `k` (\n  `code` varchar(10) NOT NULL,\n  `v` int(11) DEFAULT NULL,\n"
                          "  PRIMARY KEY (`code`)\n) ENGINE=InnoDB")  # fmt: skip
    body = backfill_statements(t, "v = 0", "v IS NULL", "k_v")[1]
    assert "UPDATE k SET v = 0 WHERE v IS NULL LIMIT 5000; UNTIL ROW_COUNT() = 0 END REPEAT" in body
    script = render_mysql(ordered(plan(USERS.replace("`email` varchar(50)", "`email` varchar(100)")).steps), "up")
    assert "SET SESSION lock_wait_timeout = 5;" in script and "DELIMITER //" in script and "-- ==== phase: contract" in script


def test_new_tables_parents_first_and_foreign_keys_after_tables():
    parent = "CREATE TABLE `p` (\n  `id` int(11) NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB"
    child = ("CREATE TABLE `c` (\n  `id` int(11) NOT NULL,\n  `p_id` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n"
             "  KEY `p_id` (`p_id`),\n  CONSTRAINT `fk` FOREIGN KEY (`p_id`) REFERENCES `p` (`id`)\n) ENGINE=InnoDB")  # fmt: skip
    p = plan_mysql({}, {"c": parse_create("c", child), "p": parse_create("p", parent)}, features=MARIA)
    assert [s.object for s in ordered(p.steps)] == ["p", "c"]
