//! SSRF guard: sources and tips never reach loopback, private, link-local,
//! CGNAT, documentation or cloud-metadata addresses, unless the config
//! allows a network explicitly (`fetch.allow_networks`).
//!
//! The check sits where addresses become connections: [`GuardedResolver`]
//! filters what DNS returns (so DNS rebinding cannot slip a private address
//! in after a pre-flight lookup), and [`check_url`] checks IP-literal hosts,
//! which never reach the resolver, on every redirect hop.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use ipnet::IpNet;

/// Marker in error messages so failures can be classified through the
/// error chain of the HTTP client.
pub const BLOCKED_MARKER: &str = "blocked non-public address";

/// Which non-public networks are allowed anyway.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    allow: Vec<IpNet>,
}

impl Policy {
    /// A policy that allows the given networks.
    pub fn new(allow: Vec<IpNet>) -> Policy {
        Policy { allow }
    }

    /// Parses CIDR strings (`127.0.0.1/32`, `::1/128`); a bare address
    /// means that single address.
    pub fn parse(list: &[String]) -> Result<Policy, String> {
        let mut allow = Vec::with_capacity(list.len());
        for s in list {
            allow.push(parse_net(s)?);
        }
        Ok(Policy { allow })
    }

    /// Whether connecting to `ip` is allowed.
    pub fn allows(&self, ip: IpAddr) -> bool {
        !is_non_public(ip) || self.allow.iter().any(|n| n.contains(&canonical(ip)))
    }

    /// `Ok` when connecting to `ip` is allowed, else an explanation.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), String> {
        if self.allows(ip) {
            Ok(())
        } else {
            Err(format!(
                "{BLOCKED_MARKER} {ip} (loopback, private, link-local or otherwise not public; \
                 allow it with fetch.allow_networks)"
            ))
        }
    }
}

/// Parses one network in CIDR notation (or a single address).
pub fn parse_net(s: &str) -> Result<IpNet, String> {
    let t = s.trim();
    if let Ok(n) = t.parse::<IpNet>() {
        return Ok(n.trunc());
    }
    if let Ok(ip) = t.parse::<IpAddr>() {
        return Ok(IpNet::from(ip));
    }
    Err(format!(
        "{s:?} is not a network in CIDR notation (e.g. \"127.0.0.1/32\" or \"fd00::/8\")"
    ))
}

/// IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`) and NAT64
/// (`64:ff9b::a.b.c.d`) IPv6 addresses are judged as the IPv4 address
/// they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => embedded_v4(v6).map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let tail = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    // IPv4-compatible (deprecated) ::a.b.c.d, but not :: and ::1.
    if s[..6].iter().all(|&x| x == 0) && (s[6] != 0 || s[7] > 1) {
        return Some(tail);
    }
    // NAT64 well-known prefix 64:ff9b::/96.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6].iter().all(|&x| x == 0) {
        return Some(tail);
    }
    None
}

/// Whether `ip` is anything but a public unicast address.
pub fn is_non_public(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => v4_non_public(v4),
        IpAddr::V6(v6) => v6_non_public(v6),
    }
}

fn v4_non_public(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_unspecified()          // 0.0.0.0
        || o[0] == 0             // 0.0.0.0/8 "this network"
        || ip.is_loopback()      // 127/8
        || ip.is_private()       // 10/8, 172.16/12, 192.168/16
        || ip.is_link_local()    // 169.254/16, including 169.254.169.254 (cloud metadata)
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64/10 CGNAT
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // 192.0.0/24 IETF protocol assignments
        || ip.is_documentation() // 192.0.2/24, 198.51.100/24, 203.0.113/24
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // 198.18/15 benchmarking
        || ip.is_multicast()     // 224/4
        || o[0] >= 240 // 240/4 reserved and 255.255.255.255 broadcast
}

fn v6_non_public(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    ip.is_unspecified()                 // ::
        || ip.is_loopback()             // ::1
        || ip.is_multicast()            // ff00::/8
        || (s[0] & 0xfe00) == 0xfc00    // fc00::/7 unique local (fd00:ec2::254 metadata)
        || (s[0] & 0xffc0) == 0xfe80    // fe80::/10 link-local
        || (s[0] & 0xffc0) == 0xfec0    // fec0::/10 site-local (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // 2001:db8::/32 documentation
        || (s[0] == 0x0100 && s[1..4].iter().all(|&x| x == 0)) // 100::/64 discard
        || (s[0] == 0x2001 && s[1] < 0x0200) // 2001::/23 IETF protocol assignments (Teredo, ORCHID…)
        || s[0] == 0x2002 // 6to4 can wrap any IPv4 address
        || (s[0] == 0x0064 && s[1] == 0xff9b && s[2] == 1) // 64:ff9b:1::/48 local-use NAT64
}

/// Why a URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not http or https.
    #[error("scheme `{0}` is not allowed (use http or https)")]
    Scheme(String),
    /// `user:pass@` in the URL.
    #[error("credentials in the URL are not allowed")]
    Credentials,
    /// No host.
    #[error("the URL has no host")]
    NoHost,
    /// The host is (or resolves only to) a non-public address.
    #[error("{0}")]
    Blocked(String),
}

/// Checks a URL before any connection: the scheme must be http(s), without
/// credentials, and an IP-literal host must be allowed by `policy`. Host
/// names are checked when they resolve (see [`GuardedResolver`]); use
/// [`check_url_resolved`] to check a name up front (e.g. for a tip).
pub fn check_url(url: &url::Url, policy: &Policy) -> Result<(), UrlError> {
    match url.scheme() {
        "http" | "https" => {}
        other => return Err(UrlError::Scheme(other.to_string())),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlError::Credentials);
    }
    match url.host() {
        None => Err(UrlError::NoHost),
        Some(url::Host::Ipv4(ip)) => policy.check_ip(IpAddr::V4(ip)).map_err(UrlError::Blocked),
        Some(url::Host::Ipv6(ip)) => policy.check_ip(IpAddr::V6(ip)).map_err(UrlError::Blocked),
        Some(url::Host::Domain("")) => Err(UrlError::NoHost),
        Some(url::Host::Domain(_)) => Ok(()),
    }
}

/// [`check_url`] plus a DNS lookup of a host name: refused when every
/// address it resolves to is blocked. For one-off checks such as partner
/// tips; fetching relies on the resolver, which also covers rebinding.
pub async fn check_url_resolved(url: &url::Url, policy: &Policy) -> Result<(), UrlError> {
    check_url(url, policy)?;
    if let Some(url::Host::Domain(d)) = url.host() {
        let addrs = tokio::net::lookup_host((d, url.port_or_known_default().unwrap_or(80)))
            .await
            .map_err(|e| UrlError::Blocked(format!("cannot resolve {d}: {e}")))?;
        let all: Vec<SocketAddr> = addrs.collect();
        if !all.iter().any(|a| policy.allows(a.ip())) {
            return Err(UrlError::Blocked(format!(
                "{BLOCKED_MARKER}: {d} resolves only to non-public addresses"
            )));
        }
    }
    Ok(())
}

/// Looks up the addresses of a host name.
pub type Lookup = Arc<
    dyn Fn(
            String,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = std::io::Result<Vec<IpAddr>>> + Send>,
        > + Send
        + Sync,
>;

/// A DNS resolver for reqwest that drops blocked addresses, so the client
/// can only connect to addresses that passed the check. Every connection
/// resolves (and checks) anew, so a name that rebinds to a private address
/// after a first, public answer is refused.
#[derive(Clone)]
pub struct GuardedResolver {
    policy: Arc<Policy>,
    lookup: Lookup,
}

impl GuardedResolver {
    /// A resolver applying `policy` to the system's DNS answers.
    pub fn new(policy: Arc<Policy>) -> GuardedResolver {
        GuardedResolver::with_lookup(
            policy,
            Arc::new(|host: String| {
                Box::pin(async move {
                    Ok(tokio::net::lookup_host((host.as_str(), 0))
                        .await?
                        .map(|a| a.ip())
                        .collect())
                })
            }),
        )
    }

    /// A resolver applying `policy` to the answers of `lookup` (tests).
    pub fn with_lookup(policy: Arc<Policy>, lookup: Lookup) -> GuardedResolver {
        GuardedResolver { policy, lookup }
    }

    /// Resolves `host` to the allowed addresses, or an error naming the
    /// blocked ones.
    pub async fn allowed(&self, host: &str) -> Result<Vec<IpAddr>, String> {
        let found = (self.lookup)(host.to_string())
            .await
            .map_err(|e| format!("cannot resolve {host}: {e}"))?;
        let allowed: Vec<IpAddr> = found
            .iter()
            .copied()
            .filter(|ip| self.policy.allows(*ip))
            .collect();
        if allowed.is_empty() {
            let list: Vec<String> = found.iter().map(IpAddr::to_string).collect();
            return Err(format!(
                "{BLOCKED_MARKER}: {host} resolves to {} (allow with fetch.allow_networks)",
                if list.is_empty() {
                    "nothing".to_string()
                } else {
                    list.join(", ")
                }
            ));
        }
        Ok(allowed)
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        Box::pin(async move {
            let allowed = this
                .allowed(name.as_str())
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { e.into() })?;
            let addrs: reqwest::dns::Addrs =
                Box::new(allowed.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_non_public_table() {
        for bad in [
            "127.0.0.1",
            "127.8.9.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.5",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "::",
            "::1",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
        ] {
            assert!(is_non_public(ip(bad)), "{bad} should be blocked");
        }
        for good in [
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "8.8.8.8",
            "2a00:1450:4001::1",
            "::ffff:93.184.216.34",
            "64:ff9b::5db8:d822",
        ] {
            assert!(!is_non_public(ip(good)), "{good} should be allowed");
        }
    }

    #[test]
    fn allow_list_opens_exactly_its_networks() {
        let p = Policy::parse(&["127.0.0.1/32".into()]).unwrap();
        assert!(p.allows(ip("127.0.0.1")));
        assert!(p.allows(ip("::ffff:127.0.0.1")));
        assert!(!p.allows(ip("127.0.0.2")));
        assert!(!p.allows(ip("::1")));
        assert!(!p.allows(ip("10.0.0.1")));
        assert!(Policy::parse(&["localhost".into()]).is_err());
        assert!(Policy::parse(&["10.0.0.0/33".into()]).is_err());
    }

    #[test]
    fn urls_with_private_literals_and_odd_schemes_are_refused() {
        let p = Policy::default();
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(matches!(
            check_url(&u("http://169.254.169.254/latest/meta-data/"), &p),
            Err(UrlError::Blocked(_))
        ));
        assert!(matches!(
            check_url(&u("http://[::1]:8080/"), &p),
            Err(UrlError::Blocked(_))
        ));
        assert!(matches!(
            check_url(&u("http://[::ffff:10.0.0.1]/"), &p),
            Err(UrlError::Blocked(_))
        ));
        // Decimal and hex spellings are normalised by the URL parser.
        assert!(matches!(
            check_url(&u("http://2130706433/"), &p),
            Err(UrlError::Blocked(_))
        ));
        assert!(matches!(
            check_url(&u("http://0x7f.1/"), &p),
            Err(UrlError::Blocked(_))
        ));
        assert!(matches!(
            check_url(&u("file:///etc/passwd"), &p),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(
            check_url(&u("gopher://x.nl/"), &p),
            Err(UrlError::Scheme(_))
        ));
        assert_eq!(
            check_url(&u("https://u:p@x.nl/"), &p),
            Err(UrlError::Credentials)
        );
        assert_eq!(check_url(&u("https://www.skipr.nl/feed"), &p), Ok(()));
        assert_eq!(check_url(&u("http://93.184.216.34/"), &p), Ok(()));
    }

    #[tokio::test]
    async fn dns_rebinding_to_a_private_address_is_refused_at_connect_time() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        // First answer public, then the metadata address, then a mix.
        let lookup: Lookup = Arc::new(move |_host: String| {
            let n = c.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                Ok(match n {
                    0 => vec![ip("93.184.216.34")],
                    1 => vec![ip("169.254.169.254")],
                    _ => vec![ip("10.0.0.5"), ip("93.184.216.34"), ip("::ffff:127.0.0.1")],
                })
            })
        });
        let r = GuardedResolver::with_lookup(Arc::new(Policy::default()), lookup);
        assert_eq!(
            r.allowed("feed.example").await.unwrap(),
            vec![ip("93.184.216.34")]
        );
        let err = r.allowed("feed.example").await.unwrap_err();
        assert!(
            err.contains("169.254.169.254") && err.contains(BLOCKED_MARKER),
            "{err}"
        );
        assert_eq!(
            r.allowed("feed.example").await.unwrap(),
            vec![ip("93.184.216.34")]
        );
        assert_eq!(
            calls.load(Ordering::SeqCst),
            3,
            "every connection resolves anew"
        );
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_refused_up_front() {
        let p = Policy::default();
        let u = url::Url::parse("http://localhost/feed").unwrap();
        let err = check_url_resolved(&u, &p).await.unwrap_err();
        assert!(matches!(err, UrlError::Blocked(_)), "{err}");
    }
}
