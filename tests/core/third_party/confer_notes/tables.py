from piccolo.columns import UUID, Varchar
from piccolo.table import Table


class Note(Table, tablename="note"):
    id = UUID(primary_key=True)
    owner = UUID(index=True)
    text = Varchar(length=500)
