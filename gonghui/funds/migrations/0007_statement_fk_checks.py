"""PostgreSQL only: the foreign keys of the ledger lines (voucher, account, decision) and of the flagged lines (the
ledger line) are checked once a statement instead of once a row.

A row-level foreign key runs a lookup and takes a FOR KEY SHARE lock on the parent row for every row written: the
journal import's COPY of a million lines spent more time in those checks than in the COPY itself, and the rule
engine's scan locked every ledger line it flagged. Here the constraints are dropped and replaced by statement
triggers with transition tables:

* on the child, ``AFTER INSERT`` / ``AFTER UPDATE … FOR EACH STATEMENT``: the distinct keys the statement wrote (on
  an update, only keys that changed) are looked up in the parent by its primary key; a missing one raises
  SQLSTATE 23503 (foreign_key_violation), which Django turns into an ``IntegrityError``;
* on the parent, ``AFTER DELETE`` / ``AFTER UPDATE … FOR EACH STATEMENT``: when rows left the parent (deleted, or
  an id changed) the child table is locked in SHARE mode, so transactions writing children finish first, and any
  child still pointing at a gone row raises 23503. Children are never locked row by row.

The parent-side SHARE lock is what makes the pair safe under concurrency in READ COMMITTED (Django's default): a
child written by another transaction either committed before the check (which then sees it, each statement of a
PL/pgSQL function taking a fresh snapshot) or waits for the deleting transaction and then finds the parent gone.
Ledger vouchers, accounts and decisions are almost never deleted (a posted voucher is only reversed), so the lock
costs nothing in practice. Not covered: TRUNCATE of a parent alone, and a transaction at REPEATABLE READ deleting
a parent while another adds a child to it.

Django's fields keep ``db_constraint=True`` (the setting cannot differ between databases), so SQLite keeps its
constraints. A later ``AlterField`` of one of these four fields on PostgreSQL would create the row-level
constraint again; drop it in that migration (``statement_fk_sql`` below gives the statements)."""

# ruff: noqa: S608 - every statement is built from the table and column names in RELATIONS, never from input

from django.db import migrations

# (child table, column, parent table)
RELATIONS = (
    ("funds_voucherline", "voucher_id", "funds_voucher"),
    ("funds_voucherline", "account_id", "funds_account"),
    ("funds_voucherline", "decision_id", "funds_decision"),
    ("funds_alertline", "line_id", "funds_voucherline"),
)


def _raise(message: str, args: str, table: str, column: str) -> str:
    return (f"RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', MESSAGE = format({message!r}, {args}), "
            f"TABLE = '{table}', COLUMN = '{column}', CONSTRAINT = '{table}_{column}_stmt_fk';")


def _child_function(child: str, relations) -> str:
    checks = []
    for _child, column, parent in relations:
        fail = _raise(f"insert or update on table \"{child}\" violates a foreign key: {column} = %s is not present "
                      f"in table \"{parent}\" (外键检查：{parent} 中没有 id %s)", "missing, missing", child, column)
        checks.append(f"""
    IF TG_OP = 'INSERT' THEN
        SELECT k.v INTO missing FROM (SELECT DISTINCT {column} AS v FROM n WHERE {column} IS NOT NULL) k
         WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = k.v) LIMIT 1;
    ELSE
        SELECT k.v INTO missing FROM (SELECT DISTINCT n.{column} AS v FROM n JOIN o ON o.id = n.id
                                       WHERE n.{column} IS NOT NULL AND n.{column} IS DISTINCT FROM o.{column}) k
         WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = k.v) LIMIT 1;
    END IF;
    IF missing IS NOT NULL THEN
        {fail}
    END IF;""")
    return f"""
CREATE OR REPLACE FUNCTION {child}_stmt_fk_check() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE missing bigint;
BEGIN{''.join(checks)}
    RETURN NULL;
END $fn$;
CREATE TRIGGER {child}_fk_check_insert AFTER INSERT ON {child} REFERENCING NEW TABLE AS n
    FOR EACH STATEMENT EXECUTE FUNCTION {child}_stmt_fk_check();
CREATE TRIGGER {child}_fk_check_update AFTER UPDATE ON {child} REFERENCING OLD TABLE AS o NEW TABLE AS n
    FOR EACH STATEMENT EXECUTE FUNCTION {child}_stmt_fk_check();
"""


def _parent_function(parent: str, relations) -> str:
    checks = []
    for child, column, _parent in relations:
        fail = _raise(f"update or delete on table \"{parent}\" violates a foreign key: id = %s is still referenced "
                      f"from table \"{child}\" ({column}) (外键检查：{child} 仍引用 id %s)", "hit, hit", child, column)
        checks.append(f"""
    LOCK TABLE {child} IN SHARE MODE;
    IF TG_OP = 'DELETE' THEN
        SELECT o.id INTO hit FROM o WHERE EXISTS (SELECT 1 FROM {child} c WHERE c.{column} = o.id) LIMIT 1;
    ELSE
        SELECT o.id INTO hit FROM o WHERE NOT EXISTS (SELECT 1 FROM n WHERE n.id = o.id)
           AND EXISTS (SELECT 1 FROM {child} c WHERE c.{column} = o.id) LIMIT 1;
    END IF;
    IF hit IS NOT NULL THEN
        {fail}
    END IF;""")
    return f"""
CREATE OR REPLACE FUNCTION {parent}_stmt_fk_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE hit bigint;
BEGIN
    -- Only when rows left the table: every deleted row, or an updated row whose id changed.
    IF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM o LIMIT 1;
    ELSE
        PERFORM 1 FROM o WHERE NOT EXISTS (SELECT 1 FROM n WHERE n.id = o.id) LIMIT 1;
    END IF;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;{''.join(checks)}
    RETURN NULL;
END $fn$;
CREATE TRIGGER {parent}_fk_guard_delete AFTER DELETE ON {parent} REFERENCING OLD TABLE AS o
    FOR EACH STATEMENT EXECUTE FUNCTION {parent}_stmt_fk_guard();
CREATE TRIGGER {parent}_fk_guard_update AFTER UPDATE ON {parent} REFERENCING OLD TABLE AS o NEW TABLE AS n
    FOR EACH STATEMENT EXECUTE FUNCTION {parent}_stmt_fk_guard();
"""


def _grouped(index: int) -> dict[str, list]:
    out: dict[str, list] = {}
    for rel in RELATIONS:
        out.setdefault(rel[index], []).append(rel)
    return out


def statement_fk_sql() -> list[str]:
    """Drop the row-level constraints, create the statement triggers."""
    sql = []
    for child, column, parent in RELATIONS:
        sql.append(f"""
DO $do$
DECLARE c text;
BEGIN
    FOR c IN SELECT quote_ident(con.conname) FROM pg_constraint con
              JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)
             WHERE con.contype = 'f' AND con.conrelid = '{child}'::regclass
               AND con.confrelid = '{parent}'::regclass AND a.attname = '{column}' LOOP
        EXECUTE 'ALTER TABLE {child} DROP CONSTRAINT ' || c;
    END LOOP;
END $do$;""")
    sql += [_child_function(child, rels) for child, rels in _grouped(0).items()]
    sql += [_parent_function(parent, rels) for parent, rels in _grouped(2).items()]
    return sql


def _forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in statement_fk_sql():
        schema_editor.execute(statement, None)  # no parameters: the "%s" are format()'s


def _backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for child in _grouped(0):
        schema_editor.execute(f"DROP TRIGGER {child}_fk_check_insert ON {child}")
        schema_editor.execute(f"DROP TRIGGER {child}_fk_check_update ON {child}")
        schema_editor.execute(f"DROP FUNCTION {child}_stmt_fk_check()")
    for parent in _grouped(2):
        schema_editor.execute(f"DROP TRIGGER {parent}_fk_guard_delete ON {parent}")
        schema_editor.execute(f"DROP TRIGGER {parent}_fk_guard_update ON {parent}")
        schema_editor.execute(f"DROP FUNCTION {parent}_stmt_fk_guard()")
    models = {m._meta.db_table: m for m in apps.get_app_config("funds").get_models()}
    for child, column, _parent in RELATIONS:
        model = models[child]
        field = next(f for f in model._meta.concrete_fields if f.column == column)
        schema_editor.execute(schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s"))


class Migration(migrations.Migration):
    dependencies = [("funds", "0006_scan_expense_key")]
    operations = [migrations.RunPython(_forwards, _backwards, elidable=False)]
