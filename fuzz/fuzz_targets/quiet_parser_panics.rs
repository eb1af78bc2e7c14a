// Included by every fuzz target. libFuzzer aborts on any panic, even one that is caught;
// unilock catches the panics pep508_rs 0.9 raises on some malformed input and reports them as
// invalid input (unilock_model::requirement::guard_pep508), so those are let through here and
// every other panic still aborts.
fn quiet_parser_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let abort_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.location().is_some_and(|l| l.file().contains("pep508_rs")) {
                abort_hook(info);
            }
        }));
    });
}
