package domain

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// KeyKind names an identity key, as stored in live_keys and reported in a
// match ("matched_on").
type KeyKind string

// The strong identity keys of domain.md, "Customers and identity".
const (
	KeyUSCC    KeyKind = "uscc"
	KeyName    KeyKind = "name_exact"
	KeyPhone   KeyKind = "phone"
	KeyProject KeyKind = "project"
)

// Key is one strong identity key of a customer: equal keys of two live
// registrations mean the same customer.
type Key struct {
	Kind  KeyKind
	Value string
}

// StrongKeys returns the customer's strong identity keys, deduplicated, in a
// stable order (credit code, name, phones, project). Empty values are
// absent. A company's name key is strong by itself; a person's name is only
// strong together with a full phone of a self contact, so for a person the
// name key is "nameKey|phone" per such phone (every 张伟 is not the same
// customer). A phone key comes from each full phone of a contact with a
// strong relation. Masked phones give no key: they cannot be indexed and
// match only through PhonesMatch together with the name. Any kind other than
// person is treated as a company.
func (c Customer) StrongKeys() []Key {
	var keys []Key
	seen := map[Key]bool{}
	add := func(kind KeyKind, v string) {
		k := Key{Kind: kind, Value: v}
		if v != "" && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	if code := NormalizeUSCC(c.USCC); ValidUSCC(code) {
		add(KeyUSCC, code)
	}
	name := NameKey(c.Name)
	if c.Kind != KindPerson {
		add(KeyName, name)
	} else if name != "" {
		for _, ct := range c.Contacts {
			if p := NormalizePhone(ct.Phone); ct.self() && fullPhone(p) {
				add(KeyName, name+"|"+p)
			}
		}
	}
	for _, ct := range c.Contacts {
		if p := NormalizePhone(ct.Phone); ct.StrongRelation() && fullPhone(p) {
			add(KeyPhone, p)
		}
	}
	add(KeyProject, ProjectKey(c.Project))
	return keys
}

// NameKey returns the normalised name key of a customer name, or "" when the
// name has no letters or digits. In order:
//
//  1. NFKC (full-width → half-width) and lower case;
//  2. a bracketed part — (), [], {}, 【】, 〔〕, 〖〗 — that names a place is
//     moved to the front (华为技术(北京)有限公司 → 北京华为技术有限公司); a
//     bracketed part that is no place keeps its position and loses its
//     brackets (某某(集团)有限公司 → 某某集团有限公司). A place is a
//     province-level name, a major city or 中国, or any text ending in
//     省/市/区/县; English place names are not recognised;
//  3. whitespace, punctuation and symbols are removed;
//  4. legal forms are removed: trailing ones repeatedly, longest first
//     (有限公司, 股份有限公司, 集团, 公司, Co., Ltd., Inc., LLC …; Latin
//     ones only as whole words, so Tesco keeps its "co"), and 有限公司,
//     股份有限公司, 有限责任公司 also inside the name, where they separate
//     the parent from a branch (华为技术有限公司深圳分公司 ≡
//     华为技术深圳分公司). The 公司 of 分公司 is kept: a branch is a
//     different customer from its head office. A name that is nothing but
//     a legal form keeps it, so every named customer has a key;
//  5. a leading place keeps its name but loses its administrative suffix
//     (北京市华为技术 ≡ 北京华为技术, 广西壮族自治区… ≡ 广西…). The place
//     itself stays: 北京华为技术 and 上海华为技术 are different keys.
//
// Removing separators can expose more to normalise (a legal form split by
// a space, a suffix after a stripped one), so the steps repeat until the key
// is stable; NameKey(NameKey(x)) == NameKey(x).
func NameKey(name string) string {
	return stable(name, nameKeyOnce)
}

// ProjectKey returns the normalised project name: NFKC, lower case, without
// whitespace and punctuation; "" when nothing is left.
func ProjectKey(s string) string {
	return stable(s, func(s string) string { return keyChars(fold(s)) })
}

// stableRounds bounds the repetitions of stable; real names settle in two.
const stableRounds = 8

// stable applies f until the result no longer changes.
func stable(s string, f func(string) string) string {
	s = f(s)
	for range stableRounds {
		next := f(s)
		if next == s {
			break
		}
		s = next
	}
	return s
}

// fold is NFKC and lower case, the first step of every text key.
func fold(s string) string {
	return strings.ToLower(norm.NFKC.String(strings.ToValidUTF8(s, "")))
}

// isKeyRune reports whether r survives in a key: letters, numbers and the
// combining marks some scripts spell words with.
func isKeyRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// keyChars drops everything but key runes.
func keyChars(s string) string {
	return strings.Map(func(r rune) rune {
		if isKeyRune(r) {
			return r
		}
		return -1
	}, s)
}

func nameKeyOnce(s string) string {
	toks := nameTokens(movePlaces(fold(s)))
	for i, t := range toks {
		if isHan(t) {
			toks[i] = dropInnerLegalForms(t)
		}
	}
	toks = trimLegalForms(toks)
	return trimLeadingAdminSuffix(strings.Join(toks, ""))
}

// bracketPairs maps the opening brackets a name may use (after NFKC) to
// their closing ones.
var bracketPairs = map[rune]rune{'(': ')', '[': ']', '{': '}', '【': '】', '〔': '〕', '〖': '〗'}

// movePlaces moves bracketed place names to the front of s and turns every
// other bracket into a space. An unmatched bracket is left for the
// punctuation step.
func movePlaces(s string) string {
	rs := []rune(s)
	var front []string
	var rest strings.Builder
	for i := 0; i < len(rs); i++ {
		closing, ok := bracketPairs[rs[i]]
		if !ok {
			rest.WriteRune(rs[i])
			continue
		}
		j := i + 1
		for j < len(rs) && rs[j] != closing {
			j++
		}
		if j == len(rs) {
			rest.WriteRune(rs[i])
			continue
		}
		inner := string(rs[i+1 : j])
		if place := keyChars(inner); isPlace(place) {
			front = append(front, place)
			rest.WriteRune(' ')
		} else {
			rest.WriteString(" " + inner + " ")
		}
		i = j
	}
	if len(front) == 0 {
		return rest.String()
	}
	return strings.Join(front, " ") + " " + rest.String()
}

// isPlace reports whether a bracketed part (letters and digits only) names
// a place: a listed place, with or without its administrative suffix, or any
// text ending in 省/市/区/县 (海淀区, 某某县).
func isPlace(s string) bool {
	if _, ok := places[s]; ok {
		return true
	}
	if utf8.RuneCountInString(s) < 2 {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune("省市区县", last)
}

// trimLeadingAdminSuffix drops the administrative suffixes after a leading
// listed place (北京市… → 北京…), repeatedly, so that the result is stable.
// It can merge 上海市场… with a company called 上海场…, which is far rarer
// than 北京市X and 北京X being one customer.
func trimLeadingAdminSuffix(k string) string {
	for {
		p, suffixes := leadingPlace(k)
		trimmed := false
		for _, suf := range suffixes {
			if rest, ok := strings.CutPrefix(k[len(p):], suf); ok {
				k, trimmed = p+rest, true
				break
			}
		}
		if !trimmed {
			return k
		}
	}
}

// leadingPlace returns the longest listed place that k starts with, and the
// administrative suffixes it takes; "" when k starts with none.
func leadingPlace(k string) (string, []string) {
	for n := maxPlaceRunes; n >= 2; n-- {
		p := firstRunes(k, n)
		if suffixes, ok := places[p]; ok {
			return p, suffixes
		}
	}
	return "", nil
}

// firstRunes returns the first n runes of s, or "" when s is shorter.
func firstRunes(s string, n int) string {
	i := 0
	for range n {
		if i >= len(s) {
			return ""
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// nameTokens splits s into words: runs of key runes split at separators
// and where Han script meets any other. Han text between separators forms
// one word, because Chinese names have no word boundaries
// (北京 华为技术 有限公司 is one word).
func nameTokens(s string) []string {
	var toks []string
	var cur strings.Builder
	curHan := false
	for _, r := range s {
		if !isKeyRune(r) {
			if !curHan && cur.Len() > 0 {
				toks = append(toks, cur.String())
				cur.Reset()
			}
			continue
		}
		han := unicode.Is(unicode.Han, r)
		if cur.Len() > 0 && han != curHan {
			toks = append(toks, cur.String())
			cur.Reset()
		}
		cur.WriteRune(r)
		curHan = han
	}
	if cur.Len() > 0 {
		toks = append(toks, cur.String())
	}
	return toks
}

// isHan reports whether a word produced by nameTokens is Han script.
func isHan(tok string) bool {
	r, _ := utf8.DecodeRuneInString(tok)
	return unicode.Is(unicode.Han, r)
}

// hanLegalForms are the Chinese legal forms removed from the end of a name,
// longest first so that 股份有限公司 goes as a whole.
var hanLegalForms = []string{
	"集团股份有限公司", "集团有限公司", "股份有限公司", "有限责任公司",
	"有限公司", "股份公司", "集团公司", "有限合伙", "集团", "股份", "公司",
}

// innerLegalForms are the forms unambiguous enough to remove inside a name,
// where a parent's legal form precedes a branch.
var innerLegalForms = []string{"股份有限公司", "有限责任公司", "有限公司"}

// latinLegalForms are English legal-form words removed from the end.
var latinLegalForms = map[string]bool{
	"co": true, "ltd": true, "coltd": true, "inc": true, "incorporated": true,
	"corp": true, "corporation": true, "llc": true, "llp": true, "plc": true,
	"limited": true, "company": true, "gmbh": true, "pte": true, "pty": true,
}

// dropInnerLegalForms removes the inner legal forms that have more of the
// name after them.
func dropInnerLegalForms(tok string) string {
	for _, form := range innerLegalForms {
		for {
			i := strings.Index(tok, form)
			if i < 0 || i+len(form) == len(tok) {
				break
			}
			tok = tok[:i] + tok[i+len(form):]
		}
	}
	return tok
}

// trimLegalForms removes trailing legal forms, never the last word left.
func trimLegalForms(toks []string) []string {
	for len(toks) > 0 {
		last := toks[len(toks)-1]
		if !isHan(last) {
			if !latinLegalForms[last] || len(toks) == 1 {
				return toks
			}
			toks = toks[:len(toks)-1]
			continue
		}
		rest, ok := cutHanLegalForm(last)
		switch {
		case !ok:
			return toks
		case rest != "":
			toks[len(toks)-1] = rest
		case len(toks) == 1:
			return toks
		default:
			toks = toks[:len(toks)-1]
		}
	}
	return toks
}

// cutHanLegalForm removes the longest legal form that ends tok; the 公司 of
// a branch (分公司) is not a legal form.
func cutHanLegalForm(tok string) (string, bool) {
	for _, form := range hanLegalForms {
		rest, ok := strings.CutSuffix(tok, form)
		if !ok || (form == "公司" && strings.HasSuffix(rest, "分")) {
			continue
		}
		return rest, true
	}
	return tok, false
}

// places maps each listed place to the administrative suffixes its full
// name may carry, longest first: the province-level divisions, 中国, and
// major cities.
var places = func() map[string][]string {
	m := map[string][]string{"中国": nil}
	add := func(suffixes []string, names string) {
		for _, n := range strings.Fields(names) {
			m[n] = append(m[n], suffixes...)
		}
	}
	add([]string{"省"}, "河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 "+
		"湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾")
	add([]string{"市"}, "北京 天津 上海 重庆 "+
		"石家庄 唐山 保定 太原 大同 呼和浩特 包头 鄂尔多斯 沈阳 大连 长春 吉林 哈尔滨 大庆 "+
		"南京 苏州 无锡 常州 南通 徐州 扬州 杭州 宁波 温州 绍兴 嘉兴 金华 台州 "+
		"合肥 芜湖 福州 厦门 泉州 南昌 赣州 济南 青岛 烟台 潍坊 淄博 郑州 洛阳 "+
		"武汉 宜昌 襄阳 长沙 株洲 广州 深圳 珠海 佛山 东莞 中山 惠州 汕头 "+
		"南宁 柳州 桂林 海口 三亚 成都 绵阳 贵阳 遵义 昆明 拉萨 西安 兰州 西宁 银川 乌鲁木齐")
	add([]string{"自治区"}, "内蒙古 西藏")
	add([]string{"壮族自治区", "自治区"}, "广西")
	add([]string{"回族自治区", "自治区"}, "宁夏")
	add([]string{"维吾尔自治区", "自治区"}, "新疆")
	add([]string{"特别行政区"}, "香港 澳门")
	return m
}()

// maxPlaceRunes is the length of the longest listed place (乌鲁木齐).
const maxPlaceRunes = 4

// NormalizePhone returns a phone number as digits, with '*' for hidden
// digits: full-width forms folded, everything else dropped, "" when no digit
// is left. A leading country code 86 or 0086 is removed when an 11-digit
// mobile number (starting with 1, possibly masked) remains. When the code was
// written explicitly (+86, 0086) before a landline of 9–12 digits, the
// landline keeps or gets back its trunk 0 (+86 10 1234 5678 → 01012345678);
// a bare 86 before anything but a mobile may be part of a local number and
// is kept.
func NormalizePhone(s string) string {
	s = norm.NFKC.String(strings.ToValidUTF8(s, ""))
	var b strings.Builder
	plus, digits := false, false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = true
			b.WriteRune(r)
		case r == '*':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0:
			plus = true
		}
	}
	if !digits {
		return ""
	}
	p := b.String()
	var rest string
	explicit := plus
	switch {
	case strings.HasPrefix(p, "0086"):
		rest, explicit = p[4:], true
	case strings.HasPrefix(p, "86"):
		rest = p[2:]
	default:
		return p
	}
	switch {
	case len(rest) == 11 && rest[0] == '1':
		return rest
	case !explicit || len(rest) < 9 || len(rest) > 12 || rest[0] == '*':
		return p
	case rest[0] == '0': // +86 (0)10 …: the trunk 0 was written
		return rest
	}
	return "0" + rest
}

// The length of a phone number, digits and '*' together, and the visible
// digits a masked phone needs to match at all.
const (
	minPhoneLen      = 7
	maxPhoneLen      = 15
	minMaskedVisible = 4
	// minBothMaskedVisible is what two masked phones must show to match:
	// with fewer, two different people's numbers look alike.
	minBothMaskedVisible = 7
)

// PhoneMasked reports whether a normalised phone hides digits with '*'.
func PhoneMasked(p string) bool { return strings.Contains(p, "*") }

// fullPhone reports whether a normalised phone is complete and plausible
// enough to be a strong key.
func fullPhone(p string) bool {
	return !PhoneMasked(p) && len(p) >= minPhoneLen && len(p) <= maxPhoneLen
}

// visibleDigits counts the digits a normalised phone shows.
func visibleDigits(p string) int {
	return len(p) - strings.Count(p, "*")
}

// PhonesMatch reports whether two normalised phones (see NormalizePhone) may
// be the same number: equal full phones; a masked and a full phone of the
// same length whose visible digits agree (the masked one showing at least
// four digits); or two identical masked phones showing at least seven. A
// masked match is weak: callers must require the same name key alongside it
// (domain.md: a masked phone alone is too weak). Empty phones match nothing.
func PhonesMatch(a, b string) bool {
	if a == "" || b == "" || len(a) != len(b) {
		return false
	}
	am, bm := PhoneMasked(a), PhoneMasked(b)
	switch {
	case !am && !bm:
		return a == b
	case am && bm:
		return a == b && visibleDigits(a) >= minBothMaskedVisible
	}
	masked, full := a, b
	if bm {
		masked, full = b, a
	}
	if visibleDigits(masked) < minMaskedVisible {
		return false
	}
	for i := range len(masked) {
		if masked[i] != '*' && masked[i] != full[i] {
			return false
		}
	}
	return true
}

// MaskPhone normalises a phone and hides its last four digits
// (13812345678 → 1381234****), as shown to front desk and to anyone but the
// owner's side; a number of four digits or fewer is hidden entirely.
func MaskPhone(p string) string {
	b := []byte(NormalizePhone(p))
	for i := max(len(b)-4, 0); i < len(b); i++ {
		b[i] = '*'
	}
	return string(b)
}

// usccCharset is the alphabet of GB 32100-2015 in value order: digits, then
// the Latin capitals without I, O, S, V and Z.
const usccCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are 3^i mod 31, the weights of the first 17 characters.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormalizeUSCC returns a unified social credit code in upper case without
// spaces and hyphens (full-width forms folded).
func NormalizeUSCC(s string) string {
	s = strings.ToUpper(norm.NFKC.String(strings.ToValidUTF8(s, "")))
	return strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// ValidUSCC reports whether a normalised code is a well-formed unified
// social credit code (GB 32100-2015): 18 characters from the standard's
// alphabet whose last one is the check character of the first 17.
func ValidUSCC(code string) bool {
	if len(code) != 18 {
		return false
	}
	sum := 0
	for i := range 17 {
		v := strings.IndexByte(usccCharset, code[i])
		if v < 0 {
			return false
		}
		sum += v * usccWeights[i]
	}
	return code[17] == usccCharset[(31-sum%31)%31]
}
