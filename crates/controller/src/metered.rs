//! Kubernetes clients that count every request they send in
//! `driftless_kube_api_requests_total{verb, code}`: reads, watches, applies, dry-runs,
//! status writes, Events, discovery — so the metric is the controller's real API load.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use ::http::{Method, Request, Response};
use kube::Client;
use prometheus::IntCounterVec;
use tower::{Layer, Service};

/// A client for `config` whose requests are counted in `requests` (labels: verb, code).
pub fn client(config: kube::Config, requests: IntCounterVec) -> Result<Client, kube::Error> {
    Ok(kube::client::ClientBuilder::try_from(config)?
        .with_layer(&CountRequestsLayer { requests })
        .build())
}

/// The verb label of a request: `get`, `watch`, `create`, `update`, `patch`, `apply`,
/// `dry-run` (any write with `dryRun`), `delete`, or the HTTP method in lower case.
pub fn verb_of(method: &Method, query: Option<&str>, content_type: Option<&str>) -> String {
    let value = |key: &str| {
        query
            .unwrap_or_default()
            .split('&')
            .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
    };
    let verb = match *method {
        Method::GET if matches!(value("watch"), Some("true" | "1")) => "watch",
        Method::GET => "get",
        _ if value("dryRun").is_some() => "dry-run",
        Method::PATCH if content_type == Some("application/apply-patch+yaml") => "apply",
        Method::PATCH => "patch",
        Method::POST => "create",
        Method::PUT => "update",
        Method::DELETE => "delete",
        ref other => return other.as_str().to_lowercase(),
    };
    verb.to_owned()
}

struct CountRequestsLayer {
    requests: IntCounterVec,
}

impl<S> Layer<S> for CountRequestsLayer {
    type Service = CountRequests<S>;

    fn layer(&self, inner: S) -> CountRequests<S> {
        CountRequests {
            inner,
            requests: self.requests.clone(),
        }
    }
}

/// Counts each request once its response status (or failure) is known.
pub struct CountRequests<S> {
    inner: S,
    requests: IntCounterVec,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for CountRequests<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ResBody: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let content_type = request
            .headers()
            .get(::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let verb = verb_of(request.method(), request.uri().query(), content_type);
        let requests = self.requests.clone();
        let response = self.inner.call(request);
        Box::pin(async move {
            let result = response.await;
            let code = match &result {
                Ok(response) => response.status().as_u16().to_string(),
                Err(_) => "error".to_owned(),
            };
            requests.with_label_values(&[verb.as_str(), code.as_str()]).inc();
            result
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_named_by_what_they_do() {
        let apply = Some("application/apply-patch+yaml");
        let cases = [
            (Method::GET, None, None, "get"),
            (Method::GET, Some("labelSelector=a%3Db"), None, "get"),
            (Method::GET, Some("watch=true&resourceVersion=5"), None, "watch"),
            (Method::GET, Some("watch=false"), None, "get"),
            (
                Method::PATCH,
                Some("fieldManager=driftless&force=true"),
                apply,
                "apply",
            ),
            (
                Method::PATCH,
                Some("dryRun=All&fieldManager=driftless"),
                apply,
                "dry-run",
            ),
            (Method::PATCH, None, Some("application/merge-patch+json"), "patch"),
            (Method::POST, None, None, "create"),
            (Method::PUT, None, None, "update"),
            (
                Method::DELETE,
                Some("propagationPolicy=Background"),
                None,
                "delete",
            ),
            (Method::HEAD, None, None, "head"),
        ];
        for (method, query, content_type, verb) in cases {
            assert_eq!(verb_of(&method, query, content_type), verb, "{method} {query:?}");
        }
    }
}
