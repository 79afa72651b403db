//! The token file reader (`--token-auth-file`) splits records as Go's
//! `encoding/csv` does with the settings kube-apiserver uses: the same
//! records on the same lines, or the same error text, for hand-picked and
//! generated texts (quotes, commas, line breaks, `\r`, non-ASCII).

#[test]
fn csv_reads_exactly_as_go_reads() {
    let mut go = crate::support::go::Oracle::start("csv");
    let mut texts: Vec<String> = [
        "",
        "\n",
        "a,b,c\n",
        "a,b\nc\n\nd,e,f,g",
        "\"a,b\",c",
        "\"a\nb\",c\nd",
        "\"a\"\"b\"",
        "a\"b",
        "\"a\"b",
        "\"abc",
        " \"a\"",
        "a,\"b\"\r\nc\r\n",
        "a\r",
        "a\rb\n",
        "\"a\r\nb\"",
        "é,\"ü\"x",
        "token,user,uid,\"g1,g2\"\n",
        ",,\n",
        "\"\"",
    ]
    .map(String::from)
    .to_vec();
    texts.extend(crate::support::go::generated("[a,\"\\n\\r é]{0,14}", 4000));
    crate::support::go::assert_agree(&texts, |text| {
        let answer = go.ask(&serde_json::json!({ "s": text }));
        let theirs = match answer.get("error") {
            Some(e) => Err(e.as_str().unwrap().to_string()),
            None => Ok(answer["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r.as_array()
                        .unwrap()
                        .iter()
                        .map(|f| f.as_str().unwrap().to_string())
                        .collect::<Vec<String>>()
                })
                .collect::<Vec<_>>()),
        };
        let ours = kauth_formats::csv::read_all(text)
            .map(|records| {
                records
                    .into_iter()
                    .map(|(line, fields)| std::iter::once(line.to_string()).chain(fields).collect())
                    .collect::<Vec<Vec<String>>>()
            })
            .map_err(|e| e.to_string());
        (ours, theirs)
    });
}
