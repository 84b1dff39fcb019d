
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('partnerships', '0004_list_indexes'),
    ]

    # The ingestion models move to the ingest app (ingest/migrations/0001_initial.py takes them
    # over). Only this app's state forgets them: their tables and rows stay where they are.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.RemoveField(
            model_name='draftparty',
            name='draft',
        ),
        migrations.RemoveField(
            model_name='draftparty',
            name='company',
        ),
        migrations.RemoveField(
            model_name='ingestionrun',
            name='source',
        ),
        migrations.DeleteModel(
            name='Draft',
        ),
        migrations.DeleteModel(
            name='DraftParty',
        ),
        migrations.DeleteModel(
            name='IngestionRun',
        ),
                ],
        ),
    ]
