"""the installation's own administrator accounts (the installation console)

Revision ID: 0014_local_admins
Revises: 0013_periods
Create Date: 2026-12-06 05:45:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0014_local_admins'
down_revision = '0013_periods'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'local_admins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('session_version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_local_admins')),
        sa.UniqueConstraint('email', name=op.f('uq_local_admins_email')),
    )


def downgrade():
    op.drop_table('local_admins')
