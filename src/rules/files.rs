//! `checkingFilesValidator {maxUnits, maxValue, extensions, allowedHosts}`: how many files,
//! how large each may be, which extensions (case-insensitive) and which download hosts.

use super::FilesRule;
use crate::error::ViolationKind;
use crate::pointer::Pointer;
use crate::types::{Cx, FileMeta};

pub(super) fn check(rule: &FilesRule, files: &[FileMeta], path: &Pointer, cx: &mut Cx<'_>) {
    let custom = rule.custom.as_deref();
    if let Some(max) = rule.max_units {
        if files.len() > max {
            cx.report_custom(path.clone(), ViolationKind::FileCount { max, count: files.len() }, custom);
        }
    }
    for f in files {
        if let Some(max) = rule.max_size {
            if f.size > max {
                cx.report_custom(f.path.child("size"), ViolationKind::FileMaxSize { max, size: f.size }, custom);
            }
        }
        if !rule.extensions.is_empty() {
            let ext = f.filename.rsplit_once('.').map(|(_, e)| e.to_lowercase());
            if !ext.is_some_and(|e| rule.extensions.contains(&e)) {
                let allowed = rule.extensions.join(", ");
                cx.report_custom(
                    f.path.child("filename"),
                    ViolationKind::FileExtension { name: f.filename.clone(), allowed },
                    custom,
                );
            }
        }
        if !rule.allowed_hosts.is_empty() && !rule.allowed_hosts.contains(&f.host) {
            cx.report_custom(f.path.child("downloadLink"), ViolationKind::FileHost(f.host.clone()), custom);
        }
    }
}
