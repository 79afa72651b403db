//! Base64 `[]byte` fields decode as Go's `encoding/json` decodes them
//! (`base64.StdEncoding`, not strict): the same bytes or the same error
//! offset as Go, for hand-picked and generated texts (short ones and
//! ones longer than the decoder's blocks), and the kubeconfig
//! that kubectl reads is read by kauth with the same result.

#[test]
fn base64_decodes_exactly_as_go_decodes() {
    let mut go = crate::support::go::Oracle::start("base64");
    let mut texts: Vec<String> = [
        "", "=", "==", "Q", "QQ", "QQ=", "QQ==", "QR==", "QUI=", "QUJ=", "QUJD", "Q===",
        "QQ==QQ==", "QQ==\n", "QQ=\n=", "\nQQ==", "Q\rQ==", "QU*D", "QUJD=", "QUJDRA", "QUJDRA=",
        "QUJDRA==", "QUJD\n\n", "====", "QUJ\n", "QUJDQUJD", "QUJDQUJ=", " QQ==", "QQ== ", "-_==",
    ]
    .map(String::from)
    .to_vec();
    texts.extend(crate::support::go::generated(
        "[QUJDRw=\\n\\r+/*]{0,14}",
        3000,
    ));
    // Long values, with the odd byte on either side of the decoder's
    // 64-byte blocks.
    texts.extend(crate::support::go::generated(
        "[A-Za-z0-9+/]{56,136}[QUJDRw=\\n\\r*]{0,3}[A-Za-z0-9+/=]{0,9}",
        1000,
    ));
    crate::support::go::assert_agree(&texts, |text| {
        let answer = go.ask(&serde_json::json!({ "s": text }));
        let theirs = match answer.get("offset") {
            Some(n) => Err(n.as_u64().unwrap() as usize),
            None => Ok(answer["hex"].as_str().unwrap().to_string()),
        };
        let ours = kauth_formats::base64::decode_std(text.as_bytes())
            .map(|b| b.iter().map(|x| format!("{x:02x}")).collect::<String>());
        (ours, theirs)
    });
}

/// Non-zero padding bits are accepted by Go's decoder, so kubectl reads
/// such a file (and writes the data back canonically); kauth used to
/// refuse it.
#[test]
fn data_with_nonzero_padding_bits_reads_as_kubectl_reads_it() {
    let kubectl = crate::support::kubectl().expect("kubectl.1.32");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://x\n    certificate-authority-data: QR==\ncontexts: []\nusers: []\n",
    )
    .unwrap();
    let theirs = std::process::Command::new(kubectl)
        .args(["config", "view", "--raw", "--kubeconfig"])
        .arg(&file)
        .output()
        .unwrap();
    let ours = crate::support::kauth(dir.path(), &file, &["config", "view", "--raw"], None);
    assert!(theirs.status.success());
    assert_eq!(
        ours.stdout,
        String::from_utf8_lossy(&theirs.stdout),
        "{}",
        ours.stderr
    );
}
