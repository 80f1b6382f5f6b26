"""grading periods, a course's time zone and conclusion, period summary columns

Revision ID: 0013_periods
Revises: 0012_lms_ids
Create Date: 2026-11-23 17:40:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0013_periods'
down_revision = '0012_lms_ids'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'grading_periods',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('grace_days', sa.Integer(), nullable=False),
        sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['course_id'], ['courses.id'],
            name=op.f('fk_grading_periods_course_id_courses'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_grading_periods')),
        sa.UniqueConstraint('course_id', 'slug', name=op.f('uq_grading_periods_course_id_slug')),
    )
    with op.batch_alter_table('grading_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grading_periods_course_id'), ['course_id'])

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('time_zone_source', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('concluded_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('grade_columns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_grade_columns_period_id'), ['period_id'])
        batch_op.create_foreign_key(
            batch_op.f('fk_grade_columns_period_id_grading_periods'), 'grading_periods',
            ['period_id'], ['id'], ondelete='CASCADE',
        )


def downgrade():
    with op.batch_alter_table('grade_columns', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_grade_columns_period_id_grading_periods'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_grade_columns_period_id'))
        batch_op.drop_column('period_id')

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('concluded_at')
        batch_op.drop_column('time_zone_source')
        batch_op.drop_column('time_zone')

    with op.batch_alter_table('grading_periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grading_periods_course_id'))
    op.drop_table('grading_periods')
