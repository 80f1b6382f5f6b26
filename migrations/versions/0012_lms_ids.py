"""lms ids: users' LMS and SIS ids; the remembered mapping of LMS gradebook exports

Revision ID: 0012_lms_ids
Revises: 0011_exemptions
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_lms_ids'
down_revision = '0011_exemptions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lms_user_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('sis_id', sa.String(length=255), nullable=True))
        batch_op.create_index('ix_users_platform_lms_user_id', ['platform_id', 'lms_user_id'], unique=False)
        batch_op.create_index('ix_users_platform_sis_id', ['platform_id', 'sis_id'], unique=False)

    op.create_table('lms_export_columns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('column_key', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('points_possible', sa.Float(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_lms_export_columns_assessment_id_assessments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_lms_export_columns_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_export_columns')),
    sa.UniqueConstraint('course_id', 'column_key', name=op.f('uq_lms_export_columns_course_id_column_key'))
    )


def downgrade():
    op.drop_table('lms_export_columns')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_platform_sis_id')
        batch_op.drop_index('ix_users_platform_lms_user_id')
        batch_op.drop_column('sis_id')
        batch_op.drop_column('lms_user_id')
