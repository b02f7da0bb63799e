//! What a caught panic says. Both faces catch panics in the work they run (the server so that a
//! bug costs one request or one version's analysis, `check` so that it costs one file); this is
//! the one place that reads the message out of a panic's payload.

use std::any::Any;

/// The message a panic was raised with (`panic!` with a literal or a formatted string), if any.
pub fn message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload.downcast_ref::<&str>().copied().or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_and_formatted_messages_are_read() {
        let caught = |f: fn()| std::panic::catch_unwind(f).expect_err("it panics");
        assert_eq!(message(&*caught(|| panic!("plain"))), Some("plain"));
        // (A value known only at run time: literal arguments are folded into a `&str`.)
        assert_eq!(message(&*caught(|| panic!("formatted {}", std::hint::black_box(2)))), Some("formatted 2"));
        assert_eq!(message(&*caught(|| std::panic::panic_any(7))), None);
    }
}
