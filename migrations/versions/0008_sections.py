"""course sections from launches, and whether teaching assistants may edit

Revision ID: 0008_sections
Revises: 0007_framework_rules
Create Date: 2026-11-23 17:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_sections'
down_revision = '0007_framework_rules'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('course_id', 'section_id')
    )
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('section_ids', sa.JSON(), server_default='[]', nullable=False))
    with op.batch_alter_table('course_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assistants_may_edit', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('course_settings', schema=None) as batch_op:
        batch_op.drop_column('assistants_may_edit')
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_column('section_ids')
    op.drop_table('course_sections')
