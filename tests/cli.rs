//! The command line as a user runs it: exit codes, reports, cards and errors.

use std::process::{Command, Output};

use serde_json::Value;

fn frontline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run frontline")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn bare_help_and_version() {
    let o = frontline(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("Usage: frontline <COMMAND>"));
    let o = frontline(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    for cmd in ["lsp", "check", "actors"] {
        assert!(stdout(&o).contains(cmd));
    }
    let o = frontline(&["--version"]);
    assert_eq!(stdout(&o).trim(), format!("frontline {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn check_reports_actors_in_the_seed_folder() {
    let o = frontline(&["check", "seeds/articles"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("seeds/articles/000_a9beee0ed21879d9.txt"));
    assert!(out.contains("Islamic State (armed group) ×20: ISIS ×5, Islamic State of Iraq and the Levant ×1, Islamic State ×10, ISIL ×4"), "{out}");
    assert!(out.contains("Manbij (place) ×1: Menbej ×1"));
    assert!(out.trim_end().ends_with("5 files, 377 mentions; 43 warnings, 5 information, 3 hints"), "{out}");
    assert!(out.contains("seeds/articles/001_1e79ab6f679bd460.txt: 47 actors, 119 mentions, 12 findings"), "{out}");
}

#[test]
fn check_json_has_offsets_and_positions() {
    let o = frontline(&["check", "--format", "json", "seeds/articles/001_1e79ab6f679bd460.txt"]);
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], 1);
    let file = &v["files"][0];
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles/001_1e79ab6f679bd460.txt"))
        .unwrap();
    let actors = file["actors"].as_array().unwrap();
    let qaeda = actors.iter().find(|a| a["id"] == "al-qaeda").unwrap();
    assert_eq!(qaeda["count"], 9);
    for m in qaeda["mentions"].as_array().unwrap() {
        let (s, e) = (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
        assert_eq!(&text[s..e], m["text"].as_str().unwrap());
    }
    let first = &qaeda["mentions"][0];
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(1), Some(65)));
    assert_eq!(first["text"], "al-Qa’ida");
    assert_eq!(first["form"], "variant");
}

#[test]
fn actors_prints_cards_and_lists() {
    let o = frontline(&["actors", "isil"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.starts_with("Islamic State (armed group, islamic-state)"), "{out}");
    assert!(out.contains("Affiliations:") && out.contains("داعش"));
    let o = frontline(&["actors", "Menbej"]);
    assert!(stdout(&o).starts_with("Manbij (place, manbij)"));
    let o = frontline(&["actors", "al-Qa’ida"]);
    assert!(stdout(&o).starts_with("al-Qaeda (armed group, al-qaeda)"));
    let o = frontline(&["actors"]);
    assert_eq!(stdout(&o).lines().count(), 201);
    let o = frontline(&["actors", "no such actor anywhere"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no actor matches"));
    let o = frontline(&["actors", "--format", "json", "SNC"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["actors"].as_array().unwrap().len() >= 2, "SNC names several bodies: {v}");
}

#[test]
fn broken_knowledge_base_files_are_reported_with_positions() {
    let o = frontline(&["check", "--kb", "tests/fixtures/broken-kb.json", "seeds/articles"]);
    assert_eq!(o.status.code(), Some(4));
    let err = stderr(&o);
    assert!(
        err.contains("tests/fixtures/broken-kb.json:10:19: `Daesh` names both `islamic-state` and `liwa-al-test`"),
        "{err}"
    );
    assert!(
        err.contains("tests/fixtures/broken-kb.json:13:20: affiliation points to unknown actor `nowhere`"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn user_knowledge_base_files_add_actors() {
    let dir = std::env::temp_dir().join(format!("frontline-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let story = dir.join("story.md");
    std::fs::write(&story, "Fighters of Liwa al-Test (LAT) joined the FSA.\n").unwrap();
    let o = frontline(&["check", "--kb", "tests/fixtures/user-kb.json", story.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("Liwa al-Test (armed group) ×2: Liwa al-Test ×1, LAT ×1"), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unreadable_files_are_reported_and_the_rest_checked() {
    let o = frontline(&["check", "tests/fixtures/latin1.txt", "missing.md", "seeds/articles/004_a68ae34d37384242.txt"]);
    assert_eq!(o.status.code(), Some(3));
    let err = stderr(&o);
    assert!(err.contains("tests/fixtures/latin1.txt: not UTF-8"), "{err}");
    assert!(err.contains("missing.md:"), "{err}");
    assert!(stdout(&o).contains("Free Syrian Army"));
}

#[test]
fn a_hard_wrapped_plain_text_story_with_a_cue_broken_over_lines_is_checked() {
    // "referring" ends a line and "to" starts the next: in plain text the line break ends the
    // sentence, and the cue "referring to" used to run past it and end the whole run with a panic
    // (found by the `analysis` fuzz target).
    let o = frontline(&["check", "tests/fixtures/hard-wrapped-cue.txt", "seeds/articles/004_a68ae34d37384242.txt"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("tests/fixtures/hard-wrapped-cue.txt: 1 actors, 1 mentions"), "{out}");
    assert!(out.contains("Free Syrian Army"), "{out}");
}

#[test]
fn check_reports_naming_findings_with_carets() {
    let o = frontline(&["check", "seeds/articles/001_1e79ab6f679bd460.txt"]);
    assert_eq!(o.status.code(), Some(0), "warnings do not fail by default");
    let out = stdout(&o);
    let expected = [
        "seeds/articles/001_1e79ab6f679bd460.txt:37:237: warning[naming/variant-spelling]: `al-Qai'da` is spelled `al-Qa'ida` elsewhere in this story; keep to one spelling",
        "37 | …reme Military Council specifically to combat al-Qai'da, and is made up of approximately 13,000…",
        "   |                                               ^^^^^^^^^",
        "  note: seeds/articles/001_1e79ab6f679bd460.txt:1:65: `al-Qa'ida` here",
    ]
    .join("\n");
    assert!(out.contains(&expected), "{out}");
}

#[test]
fn fail_on_sets_the_exit_code() {
    let story = "seeds/articles/003_ebde9c7ef49edc9c.txt";
    assert_eq!(frontline(&["check", story]).status.code(), Some(0));
    assert_eq!(frontline(&["check", "--fail-on", "warning", story]).status.code(), Some(1));
    assert_eq!(
        frontline(&["check", "--fail-on", "hint", "seeds/articles/004_a68ae34d37384242.txt"]).status.code(),
        Some(0)
    );
    let o = frontline(&["check", "--fail-on", "loud", story]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn json_and_sarif_carry_the_same_findings() {
    let story = "seeds/articles/003_ebde9c7ef49edc9c.txt";
    let j: Value = serde_json::from_slice(&frontline(&["check", "--format", "json", story]).stdout).unwrap();
    let findings = j["files"][0]["findings"].as_array().unwrap();
    let s: Value = serde_json::from_slice(&frontline(&["check", "--format", "sarif", story]).stdout).unwrap();
    assert_eq!(s["version"], "2.1.0");
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert_eq!(findings.len(), results.len());
    assert!(findings.len() > 10);
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles/003_ebde9c7ef49edc9c.txt"))
        .unwrap();
    for (f, r) in findings.iter().zip(results) {
        assert_eq!(f["code"], r["ruleId"]);
        assert_eq!(f["message"], r["message"]["text"]);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (f["line"].clone(), f["column"].clone()),
            (region["startLine"].clone(), region["startColumn"].clone())
        );
        let (a, b) = (f["start"].as_u64().unwrap() as usize, f["end"].as_u64().unwrap() as usize);
        assert_eq!(&text[a..b], f["text"].as_str().unwrap());
        for fix in f["fixes"].as_array().unwrap() {
            for e in fix["edits"].as_array().unwrap() {
                assert!(e["new_text"].is_string());
            }
        }
    }
    let rules: Vec<&str> =
        s["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(rules.contains(&"naming/mixed-names") && rules.contains(&"naming/house-style"));
}

#[test]
fn house_styles_and_preferences() {
    let story = "seeds/articles/000_a9beee0ed21879d9.txt";
    let o = frontline(&["check", "--style", "guardian", story]);
    assert!(stdout(&o).contains("hint[naming/house-style]: The Guardian and The Observer style writes `Isis`"));
    let o = frontline(&["check", "--prefer", "islamic-state=ISIL", story]);
    let out = stdout(&o);
    assert!(out.contains("the preferred `ISIL`"), "{out}");
    let o = frontline(&["check", "--style", "times", story]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown house style `times` (known: ap, bbc, guardian, nyt, reuters)"));
    let o = frontline(&["check", "--prefer", "islamic-state=Hamas", story]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_folder_with_a_symlink_loop_is_walked_once_and_files_stream_in_path_order() {
    let dir = std::env::temp_dir().join(format!("frontline-cli-loop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a/b")).unwrap();
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/articles");
    let mut names: Vec<String> = std::fs::read_dir(&seeds)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    // Two stories at the top, one two folders down; a/b/up -> a is a loop and a second way in.
    let places = [dir.join(&names[0]), dir.join(&names[2]), dir.join("a/b").join(&names[1])];
    for (place, name) in places.iter().zip([&names[0], &names[2], &names[1]]) {
        std::fs::copy(seeds.join(name), place).unwrap();
    }
    std::os::unix::fs::symlink(dir.join("a"), dir.join("a/b/up")).unwrap();
    let o = frontline(&["check", dir.to_str().unwrap()]);
    let out = stdout(&o);
    assert!(matches!(o.status.code(), Some(0) | Some(1)), "{}", stderr(&o));
    assert!(out.contains("\n3 files, "), "{out}");
    assert_eq!(out.matches(&format!("{}: ", names[1])).count(), 1, "walked twice: {out}");
    // In path order ("0…" sorts before "a/").
    let at = |n: &str| out.find(&format!("{n}: ")).unwrap_or_else(|| panic!("{n} missing: {out}"));
    assert!(at(&names[0]) < at(&names[2]) && at(&names[2]) < at(&format!("a/b/{}", names[1])), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_long_storys_json_report_writes_each_replace_all_fix_once() {
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/articles");
    let one = std::fs::read_to_string(seeds.join("000_a9beee0ed21879d9.txt")).unwrap();
    let path = std::env::temp_dir().join(format!("frontline-long-{}.txt", std::process::id()));
    std::fs::write(&path, format!("{one}\n\n").repeat(40)).unwrap();
    let o = frontline(&["check", "--format", "json", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let findings = v["files"][0]["findings"].as_array().unwrap();
    let edits: usize = findings
        .iter()
        .flat_map(|f| f["fixes"].as_array().unwrap())
        .map(|x| x["edits"].as_array().unwrap().len())
        .sum();
    // Without sharing, every mixed-names finding would carry every offending mention (~40 × 40).
    assert!(edits < 4 * findings.len(), "{edits} edits for {} findings", findings.len());
    let mut shared = 0;
    for f in findings {
        for fix in f["fixes"].as_array().unwrap() {
            if let Some(k) = fix["edits_as_finding"].as_u64() {
                shared += 1;
                let first = &findings[k as usize];
                let same = first["fixes"].as_array().unwrap().iter().find(|x| x["title"] == fix["title"]).unwrap();
                assert!(same["edits"].as_array().unwrap().len() > 1, "{same}");
            }
        }
    }
    assert!(shared > 0);
}

#[test]
fn cross_story_reports_the_minority_family_after_the_files() {
    let dir = std::env::temp_dir().join(format!("frontline-cross-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("a.md"),
        "Fighters of the Islamic State of Iraq and Syria (ISIS) entered the town.\n\nISIS held it for a week.\n",
    )
    .unwrap();
    std::fs::write(dir.join("b.md"), "# Raqqa\n\nThe Islamic State left the town.\n").unwrap();
    let d = dir.to_str().unwrap();
    let (a, b) = (format!("{d}/a.md"), format!("{d}/b.md"));

    // Off unless asked for.
    let o = frontline(&["check", "--fail-on", "information", d]);
    assert!(!stdout(&o).contains("naming/cross-story"), "{}", stdout(&o));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    let o = frontline(&["check", "--cross-story", d]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let line = format!(
        "{b}:3:5: information[naming/cross-story]: `Islamic State` names Islamic State from the is naming family; other stories checked with it use the isis family: {a} (`Islamic State of Iraq and Syria`)"
    );
    let at = out.find(&line).unwrap_or_else(|| panic!("no `{line}` in:\n{out}"));
    // After both files' reports, with its excerpt, and counted in the summary.
    assert!(at > out.find(&format!("{b}: ")).unwrap(), "{out}");
    assert!(out[at..].contains("3 | The Islamic State left the town.\n  |     ^^^^^^^^^^^^^"), "{out}");
    assert!(out.trim_end().ends_with("2 files, 5 mentions; 0 warnings, 1 information, 0 hints"), "{out}");
    let o = frontline(&["check", "--cross-story", "--fail-on", "information", d]);
    assert_eq!(o.status.code(), Some(1));
    // Rule levels apply to it like to any rule.
    let o = frontline(&["check", "--cross-story", "--rule", "naming/cross-story=off", "--fail-on", "information", d]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains("naming/cross-story"));
    let o = frontline(&["check", "--cross-story", "--rule", "naming/cross-story=warning", d]);
    assert!(stdout(&o).contains(&format!("{b}:3:5: warning[naming/cross-story]")), "{}", stdout(&o));

    // JSON and SARIF carry it in the file's findings.
    let o = frontline(&["check", "--cross-story", "--format", "json", d]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let files = v["files"].as_array().unwrap();
    assert!(files[0]["findings"].as_array().unwrap().is_empty());
    let f = &files[1]["findings"][0];
    assert_eq!(f["code"], "naming/cross-story");
    assert_eq!(f["text"], "Islamic State");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(3), Some(5)));
    let o = frontline(&["check", "--cross-story", "--format", "sarif", d]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let r = results.iter().find(|r| r["ruleId"] == "naming/cross-story").expect("a cross-story result");
    assert_eq!(r["level"], "note");
    assert!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap().ends_with("/b.md"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_honours_suppression_comments() {
    let story = "tests/fixtures/suppressed.md";
    let o = frontline(&["check", story]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(!out.contains("unsourced-claim"), "{out}");
    assert!(
        out.contains("suppressed.md:6:1: hint[suppression/unused]: `frontline-disable-file` suppresses nothing"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("0 warnings, 0 information, 1 hints"), "{out}");
    // The unused hint counts only from `--fail-on hint`.
    assert_eq!(frontline(&["check", "--fail-on", "information", story]).status.code(), Some(0));
    assert_eq!(frontline(&["check", "--fail-on", "hint", story]).status.code(), Some(1));
    // JSON carries the hint with the fix that deletes the comment's line.
    let j: Value = serde_json::from_slice(&frontline(&["check", "--format", "json", story]).stdout).unwrap();
    let f = &j["files"][0]["findings"][0];
    assert_eq!((f["code"].as_str(), f["severity"].as_str()), (Some("suppression/unused"), Some("hint")));
    assert_eq!(f["fixes"][0]["edits"][0]["new_text"], "");
    // Without its comment, the claim is reported.
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/suppressed.md")).unwrap();
    let path = std::env::temp_dir().join(format!("frontline-unsuppressed-{}.md", std::process::id()));
    std::fs::write(&path, text.replace("<!-- frontline-disable-next-line attribution/unsourced-claim -->\n", ""))
        .unwrap();
    let o = frontline(&["check", "--fail-on", "warning", path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("warning[attribution/unsourced-claim]"), "{}", stdout(&o));
}
