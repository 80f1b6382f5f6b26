"""exemptions: a student excused from a standard or an assessment

Revision ID: 0011_exemptions
Revises: 0010_share_audit
Create Date: 2026-11-30 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_exemptions'
down_revision = '0010_share_audit'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=True),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(standard_id IS NULL) <> (assessment_id IS NULL)', name=op.f('ck_exemptions_one_target')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_exemptions_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_exemptions_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_exemptions_set_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_exemptions_standard_id_standards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], name=op.f('fk_exemptions_student_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exemptions')),
    sa.UniqueConstraint('course_id', 'student_id', 'assessment_id', name=op.f('uq_exemptions_course_id_student_id_assessment_id')),
    sa.UniqueConstraint('course_id', 'student_id', 'standard_id', name=op.f('uq_exemptions_course_id_student_id_standard_id'))
    )
    with op.batch_alter_table('exemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exemptions_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exemptions_standard_id'), ['standard_id'], unique=False)


def downgrade():
    with op.batch_alter_table('exemptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exemptions_standard_id'))
        batch_op.drop_index(batch_op.f('ix_exemptions_assessment_id'))

    op.drop_table('exemptions')
