//! Guards the accuracy reached on the labelled development data (`../shared/eval`).
//!
//! The data lives outside the repository, so this test is ignored by a plain `cargo test`;
//! `.ci/run` runs it with `--ignored` when `../shared` is present and says SKIPPED when it is not.
//! The figures are in docs/accuracy.md; raise the floors here when they improve.

#[path = "../examples/eval/naming.rs"]
mod naming;

use std::path::PathBuf;

fn shared() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared"))
}

#[test]
#[ignore = "needs ../shared/eval; run by .ci/run with --ignored"]
fn naming_rules_keep_their_dev_accuracy() {
    let r = naming::run(&shared()).expect("../shared/eval/syria-dev-naming.json must be readable");
    let floors = [("mixed-names", r.mixed, 1.00, 0.75), ("variant-spelling", r.variant, 0.77, 1.00)];
    for (rule, s, p, rec) in floors {
        assert!(s.precision() >= p, "{rule}: precision {:.2} fell below {p:.2} ({s:?})", s.precision());
        assert!(s.recall() >= rec, "{rule}: recall {:.2} fell below {rec:.2} ({s:?})", s.recall());
    }
}
