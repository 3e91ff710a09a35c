use switchboard::{Application, rpc};
use switchboard_demo as _;

use super::*;

/// Shows <b>bold</b> & "quoted" text: `x < y`.
#[rpc(service = "tricky", throws = ["Client.NotFound"])]
fn tricky(#[schemars(length(min = 1, max = 8))] label: String, count: Option<u32>) -> Vec<u8> {
    let _ = count;
    label.into_bytes()
}

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn page(settings: &DocsSettings) -> Result<String, switchboard::BuildError> {
    let app = Application::builder()
        .services(["demo", "tricky"])
        .build()?;
    Ok(docs_page(&app, settings))
}

#[test]
fn every_method_has_its_doc_params_result_faults_and_form() -> TestResult {
    let page = page(&DocsSettings::new(DocumentInfo::new("demo & co", "1.0")))?;
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<title>demo &amp; co — API docs</title>"));
    for name in ["echo", "fail", "sleep", "subtract", "sum", "tricky"] {
        assert!(page.contains(&format!("id=\"method-{name}\"")), "{name}");
        assert!(
            page.contains(&format!(
                "<form class=\"try\" data-method=\"{name}\" action=\"/json/{name}\""
            )),
            "{name}"
        );
    }
    // The constraint, the fault with its status, the types.
    assert!(page.contains("<td>0 ≤ value ≤ 3600</td>"));
    assert!(page.contains("<td>length 1–8</td>"));
    assert!(page.contains("<li><code>Client.NotFound</code> (404)</li>"));
    assert!(page.contains("<p class=\"result\"><code>array of integer</code></p>"));
    assert!(page.contains("<input name=\"count\" data-kind=\"number\" placeholder"));
    assert!(page.contains("<input name=\"label\" data-kind=\"string\" data-required=\"true\""));
    Ok(())
}

#[test]
fn doc_comments_are_escaped() -> TestResult {
    let page = page(&DocsSettings::new(DocumentInfo::new("t", "1")))?;
    assert!(page.contains(
        "<p>Shows &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; text: <code>x &lt; y</code>.</p>"
    ));
    assert!(!page.contains("<b>bold</b>"));
    Ok(())
}

#[test]
fn nothing_is_loaded_from_elsewhere() -> TestResult {
    let page = page(&DocsSettings::new(DocumentInfo::new("t", "1")))?;
    for outside in ["src=", "href=\"http", "@import", "url("] {
        assert!(!page.contains(outside), "{outside}");
    }
    Ok(())
}

#[test]
fn forms_post_under_the_public_url_and_auth_asks_for_credentials() -> TestResult {
    let info = DocumentInfo::new("t", "1").with_base_url("https://api.example.com");
    let settings = DocsSettings::new(info)
        .with_json_endpoint("rpc/json/")
        .with_auth(Auth::Bearer {
            token: "s3cret".into(),
        });
    let page = page(&settings)?;
    assert!(page.contains("action=\"https://api.example.com/rpc/json/echo\""));
    assert!(page.contains("id=\"authorization\" placeholder=\"Bearer &lt;token&gt;\""));
    assert!(!page.contains("s3cret"));
    let open = self::page(&DocsSettings::new(DocumentInfo::new("t", "1")))?;
    assert!(!open.contains("id=\"authorization\""));
    Ok(())
}

#[test]
fn named_types_have_sections_that_results_link_to() -> TestResult {
    // The `library` service of the OpenAPI tests, in this test binary too.
    let app = Application::builder().services(["library"]).build()?;
    let page = docs_page(&app, &DocsSettings::new(DocumentInfo::new("t", "1")));
    assert!(
        page.contains("<p class=\"result\"><a href=\"#type-Shelf\"><code>Shelf</code></a></p>")
    );
    assert!(page.contains("<section class=\"type\" id=\"type-Shelf\"><h3><code>Shelf</code></h3>"));
    assert!(page.contains(
        "<tr><td><code>books</code></td><td><code>integer</code></td><td>yes</td><td>value ≥ 0</td><td>How many books it holds.</td></tr>"
    ));
    Ok(())
}
