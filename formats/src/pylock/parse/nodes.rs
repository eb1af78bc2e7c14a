//! The parsed TOML as the pylock reader walks it: [`Node`]s (items, array elements and
//! array-of-tables entries alike), the [`Fields`] of one table with the keys already read,
//! and conversion of what is kept as data into plain TOML values.

use super::Table;
use std::ops::Range;
use toml_edit::{Item, TableLike, Value};

/// A TOML node of the parsed document: an item, an array element or an array-of-tables entry.
#[derive(Clone, Copy)]
pub(super) enum Node<'a> {
    Item(&'a Item),
    Value(&'a Value),
    Table(&'a toml_edit::Table),
}

impl<'a> Node<'a> {
    pub(super) fn span(self) -> Option<Range<usize>> {
        match self {
            Node::Item(i) => i.span(),
            Node::Value(v) => v.span(),
            Node::Table(t) => t.span(),
        }
    }

    pub(super) fn value(self) -> Option<&'a Value> {
        match self {
            Node::Item(i) => i.as_value(),
            Node::Value(v) => Some(v),
            Node::Table(_) => None,
        }
    }

    pub(super) fn table(self) -> Option<&'a dyn TableLike> {
        match self {
            Node::Item(i) => i.as_table_like(),
            Node::Value(v) => v.as_inline_table().map(|t| t as &dyn TableLike),
            Node::Table(t) => Some(t as &dyn TableLike),
        }
    }

    pub(super) fn array(self) -> Option<Vec<Node<'a>>> {
        match self {
            Node::Item(Item::ArrayOfTables(a)) => Some(a.iter().map(Node::Table).collect()),
            _ => Some(self.value()?.as_array()?.iter().map(Node::Value).collect()),
        }
    }

    pub(super) fn type_name(self) -> &'static str {
        match self {
            Node::Item(i) => match i {
                Item::Value(v) => v.type_name(),
                _ => i.type_name(),
            },
            Node::Value(v) => v.type_name(),
            Node::Table(_) => "table",
        }
    }

    /// The node as plain TOML data.
    pub(super) fn to_toml(self) -> Option<toml::Value> {
        match self {
            Node::Value(v) | Node::Item(Item::Value(v)) => Some(value_to_toml(v)),
            Node::Table(t) | Node::Item(Item::Table(t)) => {
                Some(toml::Value::Table(table_to_toml(t)))
            }
            Node::Item(Item::ArrayOfTables(a)) => Some(toml::Value::Array(
                a.iter()
                    .map(|t| toml::Value::Table(table_to_toml(t)))
                    .collect(),
            )),
            Node::Item(Item::None) => None,
        }
    }
}

pub(super) fn value_to_toml(value: &Value) -> toml::Value {
    match value {
        Value::String(s) => toml::Value::String(s.value().clone()),
        Value::Integer(i) => toml::Value::Integer(*i.value()),
        Value::Float(f) => toml::Value::Float(*f.value()),
        Value::Boolean(b) => toml::Value::Boolean(*b.value()),
        Value::Datetime(d) => toml::Value::Datetime(*d.value()),
        Value::Array(a) => toml::Value::Array(a.iter().map(value_to_toml).collect()),
        Value::InlineTable(t) => toml::Value::Table(table_to_toml(t)),
    }
}

pub(super) fn table_to_toml(table: &dyn TableLike) -> Table {
    table
        .iter()
        .filter_map(|(k, item)| Some((k.to_string(), Node::Item(item).to_toml()?)))
        .collect()
}

/// One table being read: which keys were consumed, so the rest are kept as unknown keys.
pub(super) struct Fields<'a> {
    pub(super) table: &'a dyn TableLike,
    /// Where to point when a key is missing.
    pub(super) span: Range<usize>,
    /// Dotted path for messages (`packages[3].sdist`); empty at the top level.
    pub(super) path: String,
    pub(super) seen: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    pub(super) fn new(table: &'a dyn TableLike, span: Range<usize>, path: String) -> Self {
        Fields {
            table,
            span,
            path,
            seen: Vec::new(),
        }
    }

    pub(super) fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The node under `key`, marked as consumed, with the span of the key and of the value.
    pub(super) fn get(&mut self, key: &'static str) -> Option<Entry<'a>> {
        self.seen.push(key);
        let (k, item) = self.table.get_key_value(key)?;
        if item.is_none() {
            return None;
        }
        let node = Node::Item(item);
        let key_span = k.span().unwrap_or_else(|| self.span.clone());
        let span = node.span().unwrap_or_else(|| key_span.clone());
        Some(Entry {
            node,
            span,
            path: self.key_path(key),
        })
    }

    pub(super) fn has(&self, key: &str) -> bool {
        self.table.get(key).is_some_and(|i| !i.is_none())
    }

    /// The keys not consumed, as data.
    pub(super) fn unknown(&self) -> Table {
        self.table
            .iter()
            .filter(|(k, _)| !self.seen.contains(k))
            .filter_map(|(k, item)| Some((k.to_string(), Node::Item(item).to_toml()?)))
            .collect()
    }
}

/// A key's value with where it is.
pub(super) struct Entry<'a> {
    pub(super) node: Node<'a>,
    pub(super) span: Range<usize>,
    pub(super) path: String,
}

impl Entry<'_> {
    pub(super) fn at(&self) -> At {
        At {
            span: self.span.clone(),
            path: self.path.clone(),
        }
    }
}

/// Where a value was: its span and dotted path.
pub(super) struct At {
    pub(super) span: Range<usize>,
    pub(super) path: String,
}
