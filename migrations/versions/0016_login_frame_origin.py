"""the origin of the LMS page that sent a login (login_states.frame_origin)

Revision ID: 0016_login_frame_origin
Revises: 0015_retired_scales
Create Date: 2026-12-06 13:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_login_frame_origin'
down_revision = '0015_retired_scales'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_states') as batch_op:
        batch_op.add_column(sa.Column('frame_origin', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('login_states') as batch_op:
        batch_op.drop_column('frame_origin')
