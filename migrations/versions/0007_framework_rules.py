"""framework rules: an imported framework keeps its ratings and calculation methods

Revision ID: 0007_framework_rules
Revises: 0006_column_gone
Create Date: 2026-11-23 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_framework_rules'
down_revision = '0006_column_gone'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ratings', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('scale_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('method', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_frameworks_scale_id_scales'), 'scales', ['scale_id'], ['id'],
            ondelete='SET NULL',
        )

    with op.batch_alter_table('standards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ratings', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('method', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('standards', schema=None) as batch_op:
        batch_op.drop_column('params')
        batch_op.drop_column('method')
        batch_op.drop_column('ratings')

    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_frameworks_scale_id_scales'), type_='foreignkey')
        batch_op.drop_column('params')
        batch_op.drop_column('method')
        batch_op.drop_column('scale_id')
        batch_op.drop_column('ratings')
