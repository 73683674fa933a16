"""Create the append-only audit trail of restricted fields (stinfo_audit)

Revision ID: 3f1c2a7d9b10
Revises:
Create Date: 2025-06-02 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "3f1c2a7d9b10"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION stinfo_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stinfo_audit is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER stinfo_audit_append_only BEFORE UPDATE OR DELETE ON stinfo_audit
    FOR EACH ROW EXECUTE FUNCTION stinfo_audit_append_only();
"""


def upgrade():
    op.create_table(
        "stinfo_audit",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("user_name", sa.UnicodeText, nullable=False),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("field", sa.UnicodeText, nullable=False),
        sa.CheckConstraint("action in ('viewed', 'changed')", name="stinfo_audit_action"),
    )
    op.create_index("idx_stinfo_audit_package", "stinfo_audit", ["package_id"])
    op.create_index("idx_stinfo_audit_timestamp", "stinfo_audit", ["timestamp"])
    op.execute(APPEND_ONLY)


def downgrade():
    op.execute("DROP TABLE stinfo_audit")
    op.execute("DROP FUNCTION IF EXISTS stinfo_audit_append_only()")
