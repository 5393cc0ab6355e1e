from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T18:06:00:578259"
VERSION = "1.38.0"
DESCRIPTION = "vote electorate stored at opening"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="coop", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Vote",
        tablename="vote",
        column_name="electorate",
        db_column_name="electorate",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
