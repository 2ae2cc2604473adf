//! The MSPDI writer (being written).

use super::Project;

pub(super) fn write(_project: &Project) -> Vec<u8> {
    Vec::new()
}
