"""a preset scale an administrator no longer offers (scales.retired_at)

Revision ID: 0015_retired_scales
Revises: 0014_local_admins
Create Date: 2026-12-06 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_retired_scales'
down_revision = '0014_local_admins'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scales') as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('scales') as batch_op:
        batch_op.drop_column('retired_at')
