//! Credentials for indexes: from the user info of index URLs (`https://user:pass@host/simple`)
//! and from `~/.netrc` (or the file `NETRC` names), parsed with `rust-netrc`.
//!
//! Credentials are sent only to their own host: those of a URL to its scheme, host and port;
//! a netrc `machine` to that host on any port. A netrc `default` entry is not used — it would
//! hand the credentials to every host, file hosts included. URLs are stripped of their user
//! info before they are requested, stored or shown ([`strip`]), so the credentials appear
//! only in the `Authorization` header of requests to their host (reqwest drops that header
//! when a redirect leaves the host).

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use url::Url;

/// A user name and password for one host.
#[derive(Clone, PartialEq, Eq)]
pub struct Auth {
    pub username: String,
    pub password: Option<String>,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:****", self.username)
    }
}

/// Every credential known, by where it may be sent.
#[derive(Clone, Default)]
pub struct Credentials {
    /// From URLs: (scheme, host, port).
    realms: HashMap<(String, String, u16), Auth>,
    /// From netrc: host.
    hosts: HashMap<String, Auth>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut realms: Vec<String> = self
            .realms
            .keys()
            .map(|(s, h, p)| format!("{s}://{h}:{p}"))
            .collect();
        realms.extend(self.hosts.keys().map(|h| format!("netrc {h}")));
        realms.sort();
        f.debug_struct("Credentials").field("for", &realms).finish()
    }
}

impl Credentials {
    /// The credentials of a netrc file: `path`, else `$NETRC`, else `~/.netrc`; none when
    /// there is no such file. A file that does not parse is an error naming it.
    pub fn from_netrc(path: Option<&Path>) -> Result<Self, String> {
        let file = match path {
            Some(p) => Some(p.to_path_buf()),
            None => netrc::Netrc::get_file(),
        };
        let mut credentials = Credentials::default();
        let Some(file) = file.filter(|f| f.is_file()) else {
            return Ok(credentials);
        };
        let parsed = netrc::Netrc::from_file(&file).map_err(|e| match e {
            netrc::Error::Io(e) => format!("{}: {e}", file.display()),
            netrc::Error::Parsing { parser, .. } => format!("{}: {parser}", file.display()),
        })?;
        for (host, entry) in parsed.hosts {
            if host == "default" {
                continue;
            }
            credentials.hosts.insert(
                host.to_ascii_lowercase(),
                Auth {
                    username: entry.login,
                    password: Some(entry.password).filter(|p| !p.is_empty()),
                },
            );
        }
        Ok(credentials)
    }

    /// Records the user info of `url` (percent-decoded) for its realm, and returns the URL
    /// without it.
    pub fn take_from_url(&mut self, url: &Url) -> Url {
        if let Some(realm) = realm(url)
            && !url.username().is_empty()
        {
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            self.realms.insert(
                realm,
                Auth {
                    username: decode(url.username()),
                    password: url.password().map(decode),
                },
            );
        }
        strip(url)
    }

    /// The credentials to send with a request to `url`, if any.
    pub fn for_url(&self, url: &Url) -> Option<&Auth> {
        if let Some(auth) = realm(url).and_then(|r| self.realms.get(&r)) {
            return Some(auth);
        }
        let host = url.host_str()?.to_ascii_lowercase();
        self.hosts.get(&host)
    }

    /// These credentials, with those of `netrc` for hosts no URL gave credentials for.
    pub fn merged_over(mut self, netrc: Credentials) -> Self {
        self.realms.extend(netrc.realms);
        for (host, auth) in netrc.hosts {
            self.hosts.entry(host).or_insert(auth);
        }
        self
    }

    /// Whether anything is known.
    pub fn is_empty(&self) -> bool {
        self.realms.is_empty() && self.hosts.is_empty()
    }
}

fn realm(url: &Url) -> Option<(String, String, u16)> {
    Some((
        url.scheme().to_string(),
        url.host_str()?.to_ascii_lowercase(),
        url.port_or_known_default()?,
    ))
}

/// `url` without user name and password.
pub fn strip(url: &Url) -> Url {
    let mut url = url.clone();
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_username("");
        let _ = url.set_password(None);
    }
    url
}

/// A URL string without its credentials, for messages; text that is not a URL is returned
/// with anything between `://` and `@` masked.
pub fn redact(text: &str) -> String {
    match Url::parse(text) {
        Ok(u) => strip(&u).to_string(),
        Err(_) => match (text.find("://"), text.find('@')) {
            (Some(s), Some(at)) if at > s => format!("{}://{}", &text[..s], &text[at + 1..]),
            _ => text.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_credentials_go_only_to_their_realm() {
        let mut c = Credentials::default();
        let index = Url::parse("https://us%40er:p%3Ass@index.example/simple/").unwrap();
        let stripped = c.take_from_url(&index);
        assert_eq!(stripped.as_str(), "https://index.example/simple/");
        let auth = c.for_url(&Url::parse("https://index.example/x").unwrap());
        assert_eq!(
            auth,
            Some(&Auth {
                username: "us@er".into(),
                password: Some("p:ss".into())
            })
        );
        assert_eq!(
            c.for_url(&Url::parse("https://files.example/x").unwrap()),
            None
        );
        assert_eq!(
            c.for_url(&Url::parse("http://index.example/x").unwrap()),
            None
        );
        assert_eq!(
            c.for_url(&Url::parse("https://index.example:8443/x").unwrap()),
            None
        );
        assert!(!format!("{c:?}").contains("p:ss"));
    }

    #[test]
    fn netrc_machines_are_used_and_default_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("netrc");
        std::fs::write(
            &path,
            "machine index.example login alice password s3cret\ndefault login bob password other\n",
        )
        .unwrap();
        let c = Credentials::from_netrc(Some(&path)).unwrap();
        let auth = c
            .for_url(&Url::parse("https://index.example:9000/simple/").unwrap())
            .unwrap();
        assert_eq!(auth.username, "alice");
        assert_eq!(auth.password.as_deref(), Some("s3cret"));
        assert_eq!(
            c.for_url(&Url::parse("https://elsewhere.example/").unwrap()),
            None
        );
        std::fs::write(&path, "machine\n").unwrap();
        let err = Credentials::from_netrc(Some(&path)).unwrap_err();
        assert!(err.contains("netrc"), "{err}");
    }

    #[test]
    fn redacts_urls_and_url_like_text() {
        assert_eq!(
            redact("https://u:secret@host.example/simple"),
            "https://host.example/simple"
        );
        assert_eq!(redact("git+https://u:secret@x y"), "git+https://x y");
        assert_eq!(redact("plain"), "plain");
    }
}
