//! Which addresses a webhook may be delivered to: public ones only, unless
//! `CHANJIAO_WEBHOOK_ALLOW` lists the host or a network that holds the
//! address. Loopback, private, link-local (cloud metadata lives there),
//! shared, multicast and reserved addresses would let a webhook reach the
//! service's own network (server-side request forgery).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

/// The hosts and networks a webhook may reach although they are not public.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    hosts: Vec<String>,
    networks: Vec<IpNet>,
}

/// Why an entry of `CHANJIAO_WEBHOOK_ALLOW` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is neither a host name nor an IP address or CIDR")]
pub struct BadEntry(pub String);

impl AllowList {
    /// Reads comma-separated host names, IP addresses and CIDRs.
    pub fn parse(text: &str) -> Result<AllowList, BadEntry> {
        let mut list = AllowList::default();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if let Ok(net) = entry.parse::<IpNet>() {
                list.networks.push(net);
            } else if let Ok(ip) = entry.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
                list.networks.push(IpNet::from(ip));
            } else if is_host_name(entry) {
                list.hosts
                    .push(entry.to_ascii_lowercase().trim_end_matches('.').to_string());
            } else {
                return Err(BadEntry(entry.to_string()));
            }
        }
        Ok(list)
    }

    /// Whether the list names this host (a name, compared without case).
    pub fn allows_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        let host = host.trim_end_matches('.');
        self.hosts.iter().any(|h| h == host)
    }

    /// Why `ip` may not be delivered to, or `None` when it may: a public
    /// address, or one in a listed network.
    pub fn refuses(&self, ip: IpAddr) -> Option<&'static str> {
        let ip = canonical(ip);
        if self.networks.iter().any(|net| net.contains(&ip)) {
            return None;
        }
        not_public(ip)
    }
}

impl AllowList {
    /// Why a URL whose host is a literal address may not be delivered to
    /// (a sentence for the client or the delivery log), or `None` when it
    /// may, or when its host is a name (checked when it is resolved).
    pub fn refuses_url(&self, url: &url::Url) -> Option<String> {
        let ip: IpAddr = match url.host()? {
            url::Host::Ipv4(ip) => ip.into(),
            url::Host::Ipv6(ip) => ip.into(),
            url::Host::Domain(_) => return None,
        };
        self.refuses(ip).map(|kind| refusal(&ip.to_string(), ip, kind))
    }

    /// Why a name that resolved to `ip` may not be delivered to, or `None`
    /// when it may (the list names the host, or the address is allowed).
    pub fn refuses_resolved(&self, host: &str, ip: IpAddr) -> Option<String> {
        if self.allows_host(host) {
            return None;
        }
        self.refuses(ip).map(|kind| refusal(host, ip, kind))
    }
}

/// The sentence that says why `host` at `ip` is not delivered to.
fn refusal(host: &str, ip: IpAddr, kind: &str) -> String {
    let what = if host == ip.to_string() {
        format!("{ip} is {kind}")
    } else {
        format!("{host} resolves to {ip}, {kind}")
    };
    format!("{what}; webhooks reach public addresses only (CHANJIAO_WEBHOOK_ALLOW lists exceptions)")
}

/// A host name: letters, digits, `-` and `.` (an internationalised name in
/// its `xn--` form).
fn is_host_name(text: &str) -> bool {
    let text = text.strip_suffix('.').unwrap_or(text);
    !text.is_empty()
        && text.len() <= 253
        && text.split('.').all(|label| !label.is_empty() && label.len() <= 63)
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// An IPv4 address carried in an IPv6 one (mapped `::ffff:a.b.c.d`, the
/// NAT64 prefix `64:ff9b::/96`) as that IPv4 address: it is where the
/// packets go.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            let s = v6.segments();
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [a, b] = s[6].to_be_bytes();
                let [c, d] = s[7].to_be_bytes();
                return IpAddr::V4(Ipv4Addr::new(a, b, c, d));
            }
            IpAddr::V6(v6)
        }
        v4 => v4,
    }
}

/// What kind of address that is not public `ip` is, if it is one.
fn not_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => not_public_v4(v4),
        IpAddr::V6(v6) => not_public_v6(v6),
    }
}

/// IPv4 networks that are no host on the internet: this network, IETF
/// protocol assignments, documentation, benchmarking, the 6to4 relay,
/// reserved (240/4, the broadcast address included).
const RESERVED_V4: [([u8; 4], u32); 9] = [
    ([0, 0, 0, 0], 8),
    ([192, 0, 0, 0], 24),
    ([192, 0, 2, 0], 24),
    ([192, 88, 99, 0], 24),
    ([198, 18, 0, 0], 15),
    ([198, 51, 100, 0], 24),
    ([203, 0, 113, 0], 24),
    ([240, 0, 0, 0], 4),
    ([255, 255, 255, 255], 32),
];

/// Whether `ip` lies in the network `base`/`prefix`.
fn in_v4(ip: Ipv4Addr, base: [u8; 4], prefix: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(base)) & mask
}

fn not_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() {
        Some("a private address")
    } else if ip.is_link_local() {
        Some("a link-local address (cloud metadata lives there)")
    } else if in_v4(ip, [100, 64, 0, 0], 10) {
        Some("a shared (carrier-grade NAT) address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if RESERVED_V4.iter().any(|(base, prefix)| in_v4(ip, *base, *prefix)) {
        Some("a reserved address")
    } else {
        None
    }
}

fn not_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() {
        Some("an address of no host")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if s[0] & 0xffc0 == 0xfe80 || s[0] & 0xffc0 == 0xfec0 {
        Some("a link-local address")
    } else if s[0] & 0xfe00 == 0xfc00 {
        Some("a private (unique local) address")
    } else if s[0] == 0x2002 {
        // 6to4: the packets go to the IPv4 address inside.
        let [a, b] = s[1].to_be_bytes();
        let [c, d] = s[2].to_be_bytes();
        not_public_v4(Ipv4Addr::new(a, b, c, d))
    } else if s[0] & 0xe000 != 0x2000 || (s[0] == 0x2001 && (s[1] == 0x0db8 || s[1] == 0)) {
        // Only global unicast (2000::/3) is public; documentation and Teredo are not.
        Some("a reserved address")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(list: &AllowList, ip: &str) -> bool {
        list.refuses(ip.parse().unwrap()).is_some()
    }

    #[test]
    fn only_public_addresses_are_allowed_by_default() {
        let list = AllowList::default();
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.100.100.200",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "240.0.0.1",
            "192.0.2.1",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "fc00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::1",
            "2001:db8::1",
            "2001:0::1",
        ] {
            assert!(refused(&list, ip), "{ip} should be refused");
        }
        for ip in [
            "8.8.8.8",
            "114.114.114.114",
            "172.32.0.1",
            "100.128.0.1",
            "2400:3200::1",
            "::ffff:1.2.3.4",
        ] {
            assert!(!refused(&list, ip), "{ip} should be allowed");
        }
    }

    #[test]
    fn listed_networks_and_hosts_are_allowed() {
        let list = AllowList::parse("127.0.0.1/32, 10.0.0.0/8,receiver.internal., ::1").unwrap();
        assert!(!refused(&list, "127.0.0.1"));
        assert!(refused(&list, "127.0.0.2"));
        assert!(!refused(&list, "10.9.8.7"));
        assert!(!refused(&list, "::1"));
        assert!(!refused(&list, "::ffff:127.0.0.1"));
        assert!(list.allows_host("Receiver.Internal"));
        assert!(!list.allows_host("other.internal"));
        assert_eq!(AllowList::parse("").unwrap(), AllowList::default());
        assert!(AllowList::parse("10.0.0.0/33").is_err());
        assert!(AllowList::parse("http://x").is_err());
        assert!(AllowList::parse("a..b").is_err());
    }

    #[test]
    fn a_url_s_literal_address_is_judged_and_its_name_is_left_to_the_resolver() {
        let list = AllowList::parse("10.0.0.0/8").unwrap();
        let url = |text: &str| url::Url::parse(text).unwrap();
        let refused = list.refuses_url(&url("http://127.1:8080/hook")).unwrap();
        assert!(refused.starts_with("127.0.0.1 is a loopback address"), "{refused}");
        assert!(list.refuses_url(&url("http://[::ffff:169.254.169.254]/")).is_some());
        assert!(list.refuses_url(&url("http://10.1.2.3/")).is_none());
        assert!(list.refuses_url(&url("http://localhost/")).is_none());
        let resolved = list
            .refuses_resolved("localhost", "127.0.0.1".parse().unwrap())
            .unwrap();
        assert!(
            resolved.starts_with("localhost resolves to 127.0.0.1, a loopback address"),
            "{resolved}"
        );
        assert!(AllowList::parse("localhost")
            .unwrap()
            .refuses_resolved("localhost", "127.0.0.1".parse().unwrap())
            .is_none());
    }
}
