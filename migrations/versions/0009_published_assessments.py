"""published assessments: a tool assessment's LMS column, how it is graded; many summary columns

Revision ID: 0009_published_assessments
Revises: 0008_sections
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_published_assessments'
down_revision = '0008_sections'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grading', sa.String(length=10), nullable=True))

    with op.batch_alter_table('grade_columns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assessment_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('placement', sa.String(length=64), server_default='', nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_grade_columns_assessment_id_assessments'), 'assessments',
            ['assessment_id'], ['id'], ondelete='CASCADE',
        )
        batch_op.create_index(
            batch_op.f('ix_grade_columns_assessment_id'), ['assessment_id'], unique=False
        )
        batch_op.drop_constraint('uq_grade_columns_course_id_tag', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_grade_columns_course_id_tag_placement'),
            ['course_id', 'tag', 'placement'],
        )


def downgrade():
    with op.batch_alter_table('grade_columns', schema=None) as batch_op:
        batch_op.drop_constraint('uq_grade_columns_course_id_tag_placement', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_grade_columns_course_id_tag'), ['course_id', 'tag']
        )
        batch_op.drop_index(batch_op.f('ix_grade_columns_assessment_id'))
        batch_op.drop_constraint(
            batch_op.f('fk_grade_columns_assessment_id_assessments'), type_='foreignkey'
        )
        batch_op.drop_column('placement')
        batch_op.drop_column('assessment_id')

    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('grading')
