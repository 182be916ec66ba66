"""Workers' congresses: terms, sessions and agenda items, delegates, proposals with their timeline, 厂务公开 records.
The tree paths get COLLATE "C" on PostgreSQL (their prefix range scans use the indexes)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from gonghui.core.migration_ops import path_collation_c


class Migration(migrations.Migration):

    dependencies = [
        ('democracy', '0003_surveys'),
        ('members', '0004_open_item_indexes_for_menu_counts'),
        ('orgs', '0004_name_search_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Congress',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('org_path', models.CharField(editable=False, max_length=255)),
                ('kind', models.CharField(choices=[('workers', "Workers' congress (职代会)"), ('teachers', "Teachers' congress (教代会)")], max_length=10, verbose_name='kind')),
                ('term', models.PositiveSmallIntegerField(verbose_name='term (第N届)')),
                ('term_start', models.DateField(verbose_name='term starts')),
                ('term_end', models.DateField(verbose_name='term ends')),
                ('cosigners_required', models.PositiveSmallIntegerField(default=2, help_text='Delegates who sign a proposal besides its proposer (附议).', verbose_name='co-signers a proposal needs')),
                ('reply_days', models.PositiveSmallIntegerField(default=15, help_text='Counted from the day the proposal is assigned to a department.', verbose_name='working days to answer a proposal')),
                ('proposal_seq', models.PositiveIntegerField(default=0, editable=False)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.org', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'congress',
                'verbose_name_plural': 'congresses',
            },
        ),
        migrations.CreateModel(
            name='Delegate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=50, verbose_name='name')),
                ('election_unit', models.CharField(max_length=60, verbose_name='election unit')),
                ('front_line', models.BooleanField(default=False, verbose_name='front-line worker')),
                ('woman', models.BooleanField(default=False, verbose_name='woman')),
                ('manager', models.BooleanField(default=False, verbose_name='manager (middle level and above)')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('congress', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='delegates', to='democracy.congress')),
                ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.person', verbose_name='member')),
            ],
            options={
                'verbose_name': 'delegate',
                'verbose_name_plural': 'delegates',
                'ordering': ['congress', 'election_unit', 'name', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Disclosure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('org_path', models.CharField(editable=False, max_length=255)),
                ('kind', models.CharField(choices=[('factory', 'Factory affairs (厂务公开)'), ('school', 'School affairs (校务公开)')], max_length=8, verbose_name='kind')),
                ('disclosed_on', models.DateField(verbose_name='disclosed on')),
                ('subject', models.CharField(max_length=100, verbose_name='what was disclosed')),
                ('summary', models.TextField(max_length=2000, verbose_name='content summary')),
                ('channel', models.CharField(choices=[('congress', 'At the congress (职代会)'), ('board', 'Notice board (公开栏)'), ('intranet', 'Intranet (内网)'), ('meeting', 'Meeting (会议)'), ('other', 'Other (其他)')], max_length=10, verbose_name='channel')),
                ('audience', models.CharField(max_length=100, verbose_name='audience')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('entered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.org', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'disclosure record',
                'verbose_name_plural': 'disclosure records',
            },
        ),
        migrations.CreateModel(
            name='Proposal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('org_path', models.CharField(editable=False, max_length=255)),
                ('seq', models.PositiveIntegerField(editable=False)),
                ('number', models.CharField(editable=False, max_length=20, verbose_name='number')),
                ('title', models.CharField(max_length=100, verbose_name='proposal title')),
                ('reason', models.TextField(max_length=3000, verbose_name='reasons')),
                ('suggestion', models.TextField(max_length=3000, verbose_name='suggestions')),
                ('state', models.CharField(choices=[('submitted', 'Submitted, awaiting the committee'), ('accepted', 'Accepted (立案)'), ('converted', 'Turned into an opinion (转意见)'), ('declined', 'Declined (不予立案)'), ('assigned', 'Assigned to a department'), ('answered', 'Answered, awaiting the rating'), ('rated', 'Rated by the proposer')], default='submitted', max_length=10, verbose_name='state')),
                ('submitted_on', models.DateField(verbose_name='submitted on')),
                ('decided_on', models.DateField(blank=True, null=True, verbose_name='decided on')),
                ('decision_note', models.CharField(blank=True, max_length=500, verbose_name="committee's note")),
                ('department', models.CharField(blank=True, max_length=60, verbose_name='department')),
                ('handler', models.CharField(blank=True, max_length=50, verbose_name='handler')),
                ('assigned_on', models.DateField(blank=True, null=True, verbose_name='assigned on')),
                ('due_on', models.DateField(blank=True, null=True, verbose_name='answer due on')),
                ('reply', models.TextField(blank=True, max_length=5000, verbose_name='reply')),
                ('answered_on', models.DateField(blank=True, null=True, verbose_name='replied on')),
                ('rating', models.CharField(blank=True, choices=[('satisfied', 'Satisfied (满意)'), ('basic', 'Basically satisfied (基本满意)'), ('unsatisfied', 'Not satisfied (不满意)')], max_length=12, verbose_name='rating')),
                ('rating_note', models.CharField(blank=True, max_length=500, verbose_name="proposer's comment")),
                ('rated_on', models.DateField(blank=True, null=True, verbose_name='rated on')),
                ('reopened', models.BooleanField(default=False, verbose_name='reopened once')),
                ('color', models.CharField(blank=True, editable=False, max_length=8, verbose_name='color')),
                ('reminded_on', models.DateField(blank=True, editable=False, null=True)),
                ('overdue_told', models.BooleanField(default=False, editable=False)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('congress', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='proposals', to='democracy.congress')),
                ('cosigners', models.ManyToManyField(related_name='+', to='democracy.delegate', verbose_name='co-signers')),
                ('entered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by')),
                ('proposer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='democracy.delegate', verbose_name='proposer')),
            ],
            options={
                'verbose_name': 'proposal',
                'verbose_name_plural': 'proposals',
            },
        ),
        migrations.CreateModel(
            name='ProposalEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('submitted', 'Proposal submitted'), ('accepted', 'Proposal accepted (立案)'), ('converted', 'Proposal turned into an opinion'), ('declined', 'Proposal declined'), ('assigned', 'Proposal assigned to a department'), ('answered', 'Proposal answered'), ('rated', 'Reply rated by the proposer'), ('reopened', 'Proposal reopened'), ('reminded', 'Proposal reminder sent'), ('escalated', 'Overdue proposal raised to the unit above')], max_length=10, verbose_name='event')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                ('note', models.TextField(blank=True, max_length=5000, verbose_name='note')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by')),
                ('proposal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='democracy.proposal')),
            ],
            options={
                'verbose_name': 'proposal event',
                'verbose_name_plural': 'proposal events',
                'ordering': ['proposal', 'at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Session',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('org_path', models.CharField(editable=False, max_length=255)),
                ('number', models.PositiveSmallIntegerField(verbose_name='session (第N次会议)')),
                ('held_on', models.DateField(verbose_name='held on')),
                ('place', models.CharField(blank=True, max_length=100, verbose_name='place')),
                ('present', models.PositiveIntegerField(verbose_name='delegates present')),
                ('delegates_total', models.PositiveIntegerField(editable=False, verbose_name='delegates of the congress')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('congress', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sessions', to='democracy.congress')),
            ],
            options={
                'verbose_name': 'congress session',
                'verbose_name_plural': 'congress sessions',
                'ordering': ['congress', 'number'],
            },
        ),
        migrations.CreateModel(
            name='AgendaItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField()),
                ('title', models.CharField(max_length=100, verbose_name='title')),
                ('kind', models.CharField(choices=[('report', 'Work report (工作报告)'), ('contract', 'Draft collective contract (集体合同草案)'), ('welfare', 'Welfare plan (福利方案)'), ('rules', 'Rules affecting the workers (规章制度)'), ('finance', 'Finances (财务报告)'), ('election', 'Election (选举)'), ('other', 'Other (其他)')], max_length=10, verbose_name='kind')),
                ('votes_for', models.PositiveIntegerField(blank=True, null=True, verbose_name='votes for')),
                ('votes_against', models.PositiveIntegerField(blank=True, null=True, verbose_name='votes against')),
                ('votes_abstain', models.PositiveIntegerField(blank=True, null=True, verbose_name='abstentions')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='democracy.session')),
            ],
            options={
                'verbose_name': 'agenda item',
                'verbose_name_plural': 'agenda items',
                'ordering': ['session', 'position'],
            },
        ),
        migrations.AddIndex(
            model_name='congress',
            index=models.Index(fields=['org_path', '-id'], name='democracy_congress_path_id'),
        ),
        migrations.AddConstraint(
            model_name='congress',
            constraint=models.UniqueConstraint(fields=('org', 'kind', 'term'), name='democracy_congress_term'),
        ),
        migrations.AddConstraint(
            model_name='congress',
            constraint=models.CheckConstraint(condition=models.Q(('term_end__gt', models.F('term_start'))), name='democracy_congress_dates'),
        ),
        migrations.AddConstraint(
            model_name='congress',
            constraint=models.CheckConstraint(condition=models.Q(('term__gte', 1), ('reply_days__gte', 1), ('reply_days__lte', 60), ('cosigners_required__lte', 50)), name='democracy_congress_rules'),
        ),
        migrations.AddConstraint(
            model_name='delegate',
            constraint=models.UniqueConstraint(fields=('congress', 'election_unit', 'name'), name='democracy_delegate_once'),
        ),
        migrations.AddConstraint(
            model_name='delegate',
            constraint=models.UniqueConstraint(condition=models.Q(('person__isnull', False)), fields=('congress', 'person'), name='democracy_delegate_person_once'),
        ),
        migrations.AddConstraint(
            model_name='delegate',
            constraint=models.CheckConstraint(condition=models.Q(('front_line', True), ('manager', True), _negated=True), name='democracy_delegate_front_or_manager'),
        ),
        migrations.AddIndex(
            model_name='disclosure',
            index=models.Index(fields=['org_path', '-disclosed_on'], name='democracy_disclosure_path_day'),
        ),
        migrations.AddIndex(
            model_name='proposal',
            index=models.Index(fields=['org_path', '-id'], name='democracy_proposal_path_id'),
        ),
        migrations.AddIndex(
            model_name='proposal',
            index=models.Index(fields=['org_path', 'submitted_on'], name='democracy_proposal_path_day'),
        ),
        migrations.AddIndex(
            model_name='proposal',
            index=models.Index(fields=['state', 'due_on'], name='democracy_proposal_due'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.UniqueConstraint(fields=('congress', 'seq'), name='democracy_proposal_seq'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.UniqueConstraint(fields=('congress', 'number'), name='democracy_proposal_number'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'declined'), _negated=True), models.Q(('decision_note', ''), _negated=True), _connector='OR'), name='democracy_proposal_decline_reason'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state__in', ['assigned', 'answered', 'rated']), _negated=True), models.Q(models.Q(('department', ''), _negated=True), ('assigned_on__isnull', False), ('due_on__gte', models.F('assigned_on'))), _connector='OR'), name='democracy_proposal_assigned'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state__in', ['answered', 'rated']), _negated=True), models.Q(models.Q(('reply', ''), _negated=True), ('answered_on__isnull', False)), _connector='OR'), name='democracy_proposal_answered'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'rated'), _negated=True), models.Q(models.Q(('rating', ''), _negated=True), ('rated_on__isnull', False)), _connector='OR'), name='democracy_proposal_rated'),
        ),
        migrations.AddIndex(
            model_name='session',
            index=models.Index(fields=['org_path', 'held_on'], name='democracy_session_path_day'),
        ),
        migrations.AddConstraint(
            model_name='session',
            constraint=models.UniqueConstraint(fields=('congress', 'number'), name='democracy_session_number'),
        ),
        migrations.AddConstraint(
            model_name='session',
            constraint=models.CheckConstraint(condition=models.Q(('present__lte', models.F('delegates_total')), ('number__gte', 1)), name='democracy_session_present'),
        ),
        migrations.AddConstraint(
            model_name='agendaitem',
            constraint=models.UniqueConstraint(fields=('session', 'position'), name='democracy_agenda_position'),
        ),
        migrations.AddConstraint(
            model_name='agendaitem',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('votes_for__isnull', True), ('votes_against__isnull', True), ('votes_abstain__isnull', True)), models.Q(('votes_for__isnull', False), ('votes_against__isnull', False), ('votes_abstain__isnull', False)), _connector='OR'), name='democracy_agenda_votes_whole'),
        ),
        path_collation_c(("democracy_congress", "org_path", 255), ("democracy_session", "org_path", 255),
                         ("democracy_proposal", "org_path", 255), ("democracy_disclosure", "org_path", 255)),
    ]
