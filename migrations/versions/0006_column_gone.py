"""gradebook columns deleted in the LMS pause instead of dead-lettering every grade

Revision ID: 0006_column_gone
Revises: 0005_rate_limits
Create Date: 2026-11-23 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_column_gone'
down_revision = '0005_rate_limits'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('grade_columns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gone_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('gone_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('grade_columns', schema=None) as batch_op:
        batch_op.drop_column('gone_reason')
        batch_op.drop_column('gone_at')
