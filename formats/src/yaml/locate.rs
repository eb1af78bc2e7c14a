//! Finding where a node of a parsed YAML document starts in its text: the text is read again
//! by `serde_yaml`, following the node's path, and reading stops with an error at the node, to
//! which serde_yaml attaches the node's position. Used only when something is refused.

use super::Seg;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The byte offset at which the node at `path` starts in `text`, found by reading the text
/// again and stopping at that node. `None` when the path leads nowhere.
pub(crate) fn locate(text: &str, path: &[Seg]) -> Option<usize> {
    let de = serde_yaml::Deserializer::from_str(text);
    match (Seek { path }).deserialize(de) {
        Err(e) if e.to_string().contains(FOUND) => e.location().map(|l| l.index().min(text.len())),
        _ => None,
    }
}

/// The message of the error that stops [`locate`] at its node; serde_yaml fills in the
/// position of the node being read when the error is raised.
const FOUND: &str = "unilock:found-node";

/// A path no node has (no mapping has that many entries).
const NOWHERE: &[Seg] = &[Seg::Key(usize::MAX)];

struct Seek<'p> {
    path: &'p [Seg],
}

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(SeekVisitor { path: self.path })
    }
}

struct SeekVisitor<'p> {
    path: &'p [Seg],
}

impl SeekVisitor<'_> {
    fn scalar<E: de::Error>(self) -> Result<(), E> {
        if self.path.is_empty() {
            Err(E::custom(FOUND))
        } else {
            Ok(())
        }
    }
}

macro_rules! scalar_visits {
    ($($name:ident: $ty:ty),*) => {
        $(fn $name<E: de::Error>(self, _: $ty) -> Result<(), E> { self.scalar() })*
    };
}

impl<'de> Visitor<'de> for SeekVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    scalar_visits!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64,
        visit_str: &str, visit_i128: i128, visit_u128: u128);

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar()
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.scalar()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((first, rest)) = self.path.split_first() else {
            return Err(de::Error::custom(FOUND));
        };
        let mut i = 0;
        loop {
            if *first == Seg::Item(i) {
                seq.next_element_seed(Seek { path: rest })?;
                return Ok(());
            }
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((first, rest)) = self.path.split_first() else {
            return Err(de::Error::custom(FOUND));
        };
        let mut i = 0;
        loop {
            // A key is searched with a path that matches nothing inside it, unless the key
            // itself is the target (the empty path).
            let key_path: &[Seg] = if *first == Seg::Key(i) { &[] } else { NOWHERE };
            if map.next_key_seed(Seek { path: key_path })?.is_none() {
                return Ok(());
            }
            if *first == Seg::Value(i) {
                map.next_value_seed(Seek { path: rest })?;
                return Ok(());
            }
            map.next_value::<IgnoredAny>()?;
            i += 1;
        }
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged value (`!tag value`): the node is the tagged value as a whole.
        if self.path.is_empty() {
            return Err(de::Error::custom(FOUND));
        }
        let (_, variant) = data.variant::<IgnoredAny>()?;
        de::VariantAccess::newtype_variant_seed(variant, Seek { path: self.path })
    }
}
