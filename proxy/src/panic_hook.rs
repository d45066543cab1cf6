//! The binary's panic hook: a panic message can hold anything that was formatted into it (a
//! request value, an upstream answer, a credential someone `expect`ed on), so only what is fixed
//! in the code is printed: the location, and the message when it is a string literal
//! (`panic!("...")` without arguments, `unreachable!()`). A formatted message is withheld. The
//! tests, which do not install this hook, still see every message in full.
use std::panic::PanicHookInfo;

/// Replaces the default hook (which prints the whole message) for the rest of the process.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let text = describe(info);
        tracing::error!(panic = %text, "panicked");
        eprintln!("migration-proxy: {text}");
    }));
}

/// What the hook prints for one panic.
pub fn describe(info: &PanicHookInfo<'_>) -> String {
    let location = info
        .location()
        .map(|l| format!("{}:{}", l.file(), l.line()))
        .unwrap_or_else(|| "an unknown place".into());
    let thread = std::thread::current().name().unwrap_or("unnamed").to_string();
    format!("thread '{thread}' panicked at {location}: {}", message(info.payload()))
}

/// A literal message as it is; anything formatted at run time withheld.
pub fn message(payload: &(dyn std::any::Any + Send)) -> &'static str {
    match payload.downcast_ref::<&'static str>() {
        Some(literal) => literal,
        None => {
            "(the message is withheld: it was formatted at run time and may hold request data or a secret)"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatted_messages_are_withheld_and_literals_kept() {
        let secret = String::from("TestSecret-9f8e7d6c5b4a");
        let formatted: Box<dyn std::any::Any + Send> = Box::new(format!("could not sign with {secret}"));
        assert!(!message(formatted.as_ref()).contains(&secret));
        assert!(message(formatted.as_ref()).contains("withheld"));
        let literal: Box<dyn std::any::Any + Send> = Box::new("the cache lock is poisoned");
        assert_eq!(message(literal.as_ref()), "the cache lock is poisoned");
    }

    #[test]
    fn an_expect_on_a_secret_bearing_error_prints_no_secret() {
        // What `.expect()` panics with: a String that embeds the error's Debug.
        let printed = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = printed.clone();
        let me = std::thread::current().id();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().id() == me {
                *sink.lock().unwrap() = describe(info);
            } else {
                eprintln!("{info}"); // another test's panic, while this hook is in place
            }
        }));
        let result = std::panic::catch_unwind(|| {
            let r: Result<(), String> =
                std::hint::black_box(Err("password=hunter2 AccessKeySecret=TestSecret-9f8e7d6c5b4a".into()));
            r.expect("signing");
        });
        std::panic::set_hook(previous);
        assert!(result.is_err());
        let printed = printed.lock().unwrap().clone();
        assert!(printed.contains("panic_hook.rs"), "{printed}");
        assert!(!printed.contains("hunter2") && !printed.contains("TestSecret"), "{printed}");
    }
}
