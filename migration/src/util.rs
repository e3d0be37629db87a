//! Helpers shared by the migrations.

use sea_orm_migration::prelude::*;

/// A plain index named `<table>_<suffix>` on `columns`.
pub fn index<T: Iden + Clone + 'static, C: Iden + Clone + 'static>(
    table: T,
    suffix: &str,
    columns: &[C],
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(format!("{}_{suffix}", table.to_string())).table(table);
    for column in columns {
        index.col(column.clone());
    }
    index.to_owned()
}
