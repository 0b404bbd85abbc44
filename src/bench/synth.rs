//! A generator of realistic synthetic Dutch articles at any scale, for
//! benchmarks: vocabulary from the built-in themes and everyday Dutch,
//! realistic lengths (titles of 5–12 words, bodies of 120–900 words in
//! paragraphs), and some near-duplicates (the same story in another outlet
//! with a few words changed). Deterministic for a given seed. Generated data
//! stays out of git: it is made in memory or in a temporary folder.

/// A small, fast, deterministic PRNG (SplitMix64); not for cryptography.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// Everyday Dutch: function words and common nouns, verbs and adjectives,
/// so texts have a realistic mix of frequent and rare terms.
const EVERYDAY: &str = "de het een en van in op te dat die voor met is zijn niet aan er om ook als bij \
    door maar uit nog over naar wordt werd worden kan moet wil gaat heeft hebben had meer veel goed nieuwe \
    jaar jaren week dag dagen tijd mensen mens gemeente regio stad dorp wijk buurt samen eerste tweede \
    volgens zegt zei vertelt laat blijkt onderzoek plan plannen project projecten afspraak afspraken \
    organisatie organisaties bestuur directeur wethouder minister ministerie kabinet landelijk lokaal \
    provincie inwoners bewoners ouderen jongeren kinderen gezinnen familie vrijwilligers collega's team \
    teams werk werken werkt gewerkt werkgever werkgevers werknemers medewerkers personeel aandacht \
    belangrijk belangrijke groot grote klein kleine snel sneller beter betere lastig moeilijk makkelijk \
    geld kosten budget miljoen euro procent aantal steeds vaker minder meer hulp zorg welzijn huis thuis \
    locatie gebouw nieuwbouw opening start begint begon gestart afgelopen komende straks inmiddels \
    vooral echter daarnaast bovendien waardoor omdat zodat terwijl wanneer waar hoe wat wie welke \
    iedereen niemand iets niets altijd nooit soms vaak elke alle andere eigen zelf samenwerking";

/// Outlets that carry the same story (near-duplicates come from these).
const OUTLETS: &[&str] = &[
    "zorgvisie",
    "skipr",
    "zorgvisie-ict",
    "nursing",
    "sociale-vraagstukken",
    "omroep-brabant",
    "rtv-noord",
    "omroep-gelderland",
    "rijnmond",
    "dvhn",
    "tubantia",
    "vilans",
];

/// One synthetic article.
#[derive(Debug, Clone)]
pub struct SynthArticle {
    /// Outlet (source) id.
    pub source: String,
    /// A unique link.
    pub url: String,
    /// Title.
    pub title: String,
    /// Lead / summary.
    pub summary: String,
    /// Body text, paragraphs separated by blank lines.
    pub body: String,
    /// Days before "now" it was published (0 = today).
    pub age_days: u32,
}

/// Makes articles.
pub struct Generator {
    rng: Rng,
    everyday: Vec<&'static str>,
    themed: Vec<String>,
    made: Vec<SynthArticle>,
    count: usize,
    /// Share of articles that are a near-copy of an earlier one (default 5%).
    pub near_duplicates: f64,
    /// Spread of publication dates in days (default 365).
    pub days: u32,
}

impl Generator {
    /// A generator with the built-in theme vocabulary.
    pub fn new(seed: u64) -> Generator {
        let themed = crate::rank::Rules::builtin().term_texts();
        Generator {
            rng: Rng::new(seed),
            everyday: EVERYDAY.split_whitespace().collect(),
            themed,
            made: Vec::new(),
            count: 0,
            near_duplicates: 0.05,
            days: 365,
        }
    }

    fn word(&mut self) -> String {
        // About one word in eight comes from the theme vocabulary.
        if !self.themed.is_empty() && self.rng.below(8) == 0 {
            self.themed[self.rng.below(self.themed.len())].clone()
        } else {
            self.everyday[self.rng.below(self.everyday.len())].to_string()
        }
    }

    fn sentence(&mut self, lo: usize, hi: usize) -> String {
        let n = self.rng.range(lo, hi);
        let mut s = String::new();
        for i in 0..n {
            let w = self.word();
            if i == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    s.extend(f.to_uppercase());
                    s.push_str(c.as_str());
                }
            } else {
                s.push(' ');
                s.push_str(&w);
            }
        }
        s
    }

    /// The next article.
    pub fn next_article(&mut self) -> SynthArticle {
        self.count += 1;
        let n = self.count;
        // Keep a bounded pool of earlier stories to copy from.
        if !self.made.is_empty() && self.rng.chance(self.near_duplicates) {
            let mut a = self.made[self.rng.below(self.made.len())].clone();
            let outlet = OUTLETS[self.rng.below(OUTLETS.len())];
            a.source = outlet.to_string();
            a.url = format!("https://{outlet}.example/nieuws/{n}");
            // Change a few words: still the same story.
            let mut words: Vec<String> = a.body.split(' ').map(str::to_string).collect();
            for _ in 0..(words.len() / 40).max(1) {
                let i = self.rng.below(words.len());
                words[i] = self.word();
            }
            a.body = words.join(" ");
            return a;
        }
        let outlet = OUTLETS[self.rng.below(OUTLETS.len())];
        let title = self.sentence(5, 12);
        let summary = format!("{}.", self.sentence(15, 30));
        let paragraphs = self.rng.range(3, 12);
        let mut body = String::new();
        for p in 0..paragraphs {
            if p > 0 {
                body.push_str("\n\n");
            }
            for s in 0..self.rng.range(2, 5) {
                if s > 0 {
                    body.push(' ');
                }
                body.push_str(&self.sentence(8, 20));
                body.push('.');
            }
        }
        let a = SynthArticle {
            source: outlet.to_string(),
            url: format!("https://{outlet}.example/nieuws/{n}"),
            title,
            summary,
            body,
            age_days: self.rng.below(self.days.max(1) as usize) as u32,
        };
        if self.made.len() < 1000 {
            self.made.push(a.clone());
        } else {
            let i = self.rng.below(self.made.len());
            self.made[i] = a.clone();
        }
        a
    }

    /// A query as an advisor would type it: one to three words, mostly
    /// from the theme vocabulary.
    pub fn query(&mut self) -> String {
        let n = self.rng.range(1, 3);
        (0..n)
            .map(|_| {
                if self.rng.below(3) == 0 {
                    self.everyday[self.rng.below(self.everyday.len())].to_string()
                } else {
                    self.themed[self.rng.below(self.themed.len())].clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// An RSS 2.0 document with `items` articles, as a feed would serve them.
pub fn rss(feed_no: usize, items: &[SynthArticle]) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Bron {feed_no}</title><link>https://bron{feed_no}.example/</link>\
         <description>Synthetisch</description>\n"
    );
    for (i, a) in items.iter().enumerate() {
        out.push_str(&format!(
            "<item><title>{}</title><link>{}</link><guid>{}</guid>\
             <pubDate>Mon, 02 Nov 2026 {:02}:{:02}:00 +0100</pubDate>\
             <description>{}</description><content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><![CDATA[<p>{}</p>]]></content:encoded></item>\n",
            esc(&a.title),
            esc(&a.url),
            esc(&a.url),
            i % 24,
            i % 60,
            esc(&a.summary),
            a.body.replace("\n\n", "</p><p>").replace("]]>", "")
        ));
    }
    out.push_str("</channel></rss>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_have_realistic_lengths_and_some_near_duplicates() {
        let mut g = Generator::new(7);
        g.near_duplicates = 0.2;
        let arts: Vec<_> = (0..500).map(|_| g.next_article()).collect();
        for a in &arts {
            let words = a.body.split_whitespace().count();
            assert!((48..=1300).contains(&words), "{words} words");
            assert!(a.title.split_whitespace().count() >= 5);
        }
        let urls: std::collections::HashSet<_> = arts.iter().map(|a| &a.url).collect();
        assert_eq!(urls.len(), arts.len(), "every article has its own link");
        let titles: std::collections::HashSet<_> = arts.iter().map(|a| &a.title).collect();
        assert!(titles.len() < 450, "near-duplicates share a title");
        // Same seed, same data.
        let mut h = Generator::new(7);
        h.near_duplicates = 0.2;
        assert_eq!(h.next_article().body, arts[0].body);
    }

    #[test]
    fn generated_rss_parses_with_every_item() {
        let mut g = Generator::new(1);
        let items: Vec<_> = (0..20).map(|_| g.next_article()).collect();
        let xml = rss(1, &items);
        let feed = feed_rs::parser::parse(xml.as_bytes()).unwrap();
        assert_eq!(feed.entries.len(), 20);
    }
}
