//! A webhook receiver in the test process: a real HTTP server on loopback
//! that records every request and answers the statuses a test scripts.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// The path it was sent to.
    pub path: String,
    /// `Chanjiao-Event-Id`.
    pub event_id: String,
    /// `Chanjiao-Signature`.
    pub signature: String,
    /// `Content-Type`.
    pub content_type: String,
    /// The body as sent.
    pub body: Vec<u8>,
    /// The body as JSON.
    pub json: Value,
}

impl Received {
    /// Whether one `v1=` of the signature is the HMAC-SHA256 of `"<t>.<body>"` with `secret`.
    pub fn signed_with(&self, secret: &str) -> bool {
        let mut t = None;
        let mut signatures = Vec::new();
        for part in self.signature.split(',') {
            match part.split_once('=') {
                Some(("t", value)) => t = Some(value.to_string()),
                Some(("v1", value)) => signatures.push(value.to_string()),
                _ => {}
            }
        }
        let Some(t) = t else { return false };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(t.as_bytes());
        mac.update(b".");
        mac.update(&self.body);
        let expected = hex::encode(mac.finalize().into_bytes());
        signatures.contains(&expected)
    }

    /// The number of `v1=` signatures the header carries.
    pub fn signatures(&self) -> usize {
        self.signature.split(',').filter(|p| p.starts_with("v1=")).count()
    }
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    /// Statuses to answer, in order; 200 once they are spent (or `then`).
    script: VecDeque<u16>,
    then: Option<u16>,
    /// A redirect target: answers 302 with this `Location`.
    redirect: Option<String>,
    delay: Duration,
}

/// A running receiver.
pub struct Receiver {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    shared: Arc<Mutex<Shared>>,
    handle: actix_web::dev::ServerHandle,
}

impl Receiver {
    /// Starts a receiver that answers 200 to everything.
    pub fn start() -> Receiver {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let state = shared.clone();
        let server = HttpServer::new(move || {
            let state = state.clone();
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let state = state.clone();
                async move { answer(&state, req, body).await }
            }))
        })
        .workers(1)
        .disable_signals()
        .bind("127.0.0.1:0")
        .expect("a port for the receiver");
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Receiver {
            base: format!("http://127.0.0.1:{port}"),
            shared,
            handle,
        }
    }

    /// A URL on this receiver.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Answers these statuses to the next requests, then 200.
    pub fn script(&self, statuses: &[u16]) {
        self.shared.lock().unwrap().script = statuses.iter().copied().collect();
    }

    /// Answers `status` to every request from now on (`None`: 200 again).
    pub fn always(&self, status: Option<u16>) {
        self.shared.lock().unwrap().then = status;
    }

    /// Answers every request with a redirect to `location`.
    pub fn redirect_to(&self, location: &str) {
        self.shared.lock().unwrap().redirect = Some(location.to_string());
    }

    /// Waits this long before answering each request.
    pub fn delay(&self, delay: Duration) {
        self.shared.lock().unwrap().delay = delay;
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().unwrap().received.clone()
    }

    /// Waits (up to `within`) until at least `count` requests have arrived; they all.
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let received = self.received();
            if received.len() >= count || tokio::time::Instant::now() >= deadline {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        std::mem::drop(self.handle.stop(false));
    }
}

async fn answer(state: &Mutex<Shared>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (status, redirect, delay) = {
        let mut shared = state.lock().unwrap();
        shared.received.push(Received {
            path: req.path().to_string(),
            event_id: header("chanjiao-event-id"),
            signature: header("chanjiao-signature"),
            content_type: header("content-type"),
            json: serde_json::from_slice(&body).unwrap_or(Value::Null),
            body: body.to_vec(),
        });
        let status = shared.script.pop_front().or(shared.then).unwrap_or(200);
        (status, shared.redirect.clone(), shared.delay)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(location) = redirect {
        return HttpResponse::Found().insert_header(("Location", location)).finish();
    }
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}
