"""recognition: points totals, adjustments, awards, certificates, bulletins

Revision ID: 0006_recognition
Revises: 0005_activities
Create Date: 2026-11-25 08:12:59.685645

"""
from alembic import op
import sqlalchemy as sa

import backend.models.types


# revision identifiers, used by Alembic.
revision = "0006_recognition"
down_revision = "0005_activities"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bulletin',
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('region_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('period_key', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('published_at', backend.models.types.UTCDateTime(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', backend.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_bulletin_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin')),
    sa.UniqueConstraint('kind', 'region_id', 'period_key', name=op.f('uq_bulletin_kind_region_id_period_key')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('bulletin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulletin_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulletin_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulletin_region_id'), ['region_id'], unique=False)

    op.create_table('award_type',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('target_kind', sa.String(length=16), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', backend.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_award_type_created_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_type')),
    sa.UniqueConstraint('name', 'tier', name=op.f('uq_award_type_name_tier')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    op.create_table('points_adjustment',
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('region_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', backend.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_points_adjustment_actor_id_app_user')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_points_adjustment_region_id_region')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_points_adjustment_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_adjustment')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('points_adjustment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_points_adjustment_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_points_adjustment_user_id'), ['user_id'], unique=False)

    op.create_table('points_total',
    sa.Column('region_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('period_key', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('reached_at', backend.models.types.UTCDateTime(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', backend.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_points_total_region_id_region')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_points_total_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_total')),
    sa.UniqueConstraint('region_id', 'period', 'period_key', 'user_id', name=op.f('uq_points_total_region_id_period_period_key_user_id')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('points_total', schema=None) as batch_op:
        batch_op.create_index('ix_points_total_rank', ['region_id', 'period', 'period_key', sa.literal_column('points DESC'), 'reached_at', 'user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_points_total_user_id'), ['user_id'], unique=False)

    op.create_table('talk_outcome',
    sa.Column('bulletin_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('subject_type', sa.String(length=16), nullable=False),
    sa.Column('subject_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('subject_name', sa.String(length=64), nullable=False),
    sa.Column('region_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('talked_at', backend.models.types.UTCDateTime(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('updated_at', backend.models.types.UTCDateTime(), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', backend.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bulletin_id'], ['bulletin.id'], name=op.f('fk_talk_outcome_bulletin_id_bulletin')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_talk_outcome_recorded_by_id_app_user')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_talk_outcome_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_talk_outcome')),
    sa.UniqueConstraint('bulletin_id', 'subject_type', 'subject_id', name=op.f('uq_talk_outcome_bulletin_id_subject_type_subject_id')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('talk_outcome', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talk_outcome_bulletin_id'), ['bulletin_id'], unique=False)

    op.create_table('nomination',
    sa.Column('award_type_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('target_kind', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('target_name', sa.String(length=64), nullable=False),
    sa.Column('region_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('award_region_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('period_label', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('open_key', sa.String(length=191), nullable=True),
    sa.Column('nominated_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('decided_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('decided_at', backend.models.types.UTCDateTime(), nullable=True),
    sa.Column('decision_reason', sa.String(length=500), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', backend.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['award_region_id'], ['region.id'], name=op.f('fk_nomination_award_region_id_region')),
    sa.ForeignKeyConstraint(['award_type_id'], ['award_type.id'], name=op.f('fk_nomination_award_type_id_award_type')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], name=op.f('fk_nomination_decided_by_id_app_user')),
    sa.ForeignKeyConstraint(['nominated_by_id'], ['app_user.id'], name=op.f('fk_nomination_nominated_by_id_app_user')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_nomination_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination')),
    sa.UniqueConstraint('open_key', name=op.f('uq_nomination_open_key')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nomination_award_type_id'), ['award_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nomination_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nomination_status'), ['status'], unique=False)

    op.create_table('award',
    sa.Column('nomination_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('award_type_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('target_kind', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('target_name', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('region_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('award_region_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('period_label', sa.String(length=32), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('approved_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('awarded_at', backend.models.types.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', backend.models.types.UTCDateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('revoke_reason', sa.String(length=500), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', backend.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['app_user.id'], name=op.f('fk_award_approved_by_id_app_user')),
    sa.ForeignKeyConstraint(['award_region_id'], ['region.id'], name=op.f('fk_award_award_region_id_region')),
    sa.ForeignKeyConstraint(['award_type_id'], ['award_type.id'], name=op.f('fk_award_award_type_id_award_type')),
    sa.ForeignKeyConstraint(['nomination_id'], ['nomination.id'], name=op.f('fk_award_nomination_id_nomination')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_award_region_id_region')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['app_user.id'], name=op.f('fk_award_revoked_by_id_app_user')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_award_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award')),
    sa.UniqueConstraint('nomination_id', name=op.f('uq_award_nomination_id')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_award_type_id'), ['award_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_user_id'), ['user_id'], unique=False)

    op.create_table('certificate',
    sa.Column('number', sa.String(length=32), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source_key', sa.String(length=64), nullable=False),
    sa.Column('award_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('holder_name', sa.String(length=64), nullable=False),
    sa.Column('holder_id_masked', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('issuer', sa.String(length=64), nullable=False),
    sa.Column('issuer_region_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('issued_at', backend.models.types.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('revoked_at', backend.models.types.UTCDateTime(), nullable=True),
    sa.Column('revoke_reason', sa.String(length=500), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', backend.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['award.id'], name=op.f('fk_certificate_award_id_award')),
    sa.ForeignKeyConstraint(['issuer_region_id'], ['region.id'], name=op.f('fk_certificate_issuer_region_id_region')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_certificate_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('kind', 'source_key', name=op.f('uq_certificate_kind_source_key')),
    sa.UniqueConstraint('number', name=op.f('uq_certificate_number')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_award_id'), ['award_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_user_id'), ['user_id'], unique=False)



def downgrade():
    # Tables only (children first); their indexes go with them (MySQL refuses to drop an index
    # that a foreign key still needs).
    for table in (
        "certificate",
        "award",
        "nomination",
        "talk_outcome",
        "points_total",
        "points_adjustment",
        "award_type",
        "bulletin",
    ):
        op.drop_table(table)
