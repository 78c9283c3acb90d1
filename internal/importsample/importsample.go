// Package importsample generates import files for the tests, the
// benchmark and the committed sample (testdata/import-sample-10000.csv):
// companies with deliberate duplicates, Chinese name variants that
// normalise to one key, conflicts with claims registered beforehand, and
// invalid rows — deterministic for a seed, with the outcomes each row
// must get.
package importsample

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"baobei/internal/domain"
)

// Header is the sample's heading row.
var Header = []string{"客户名称", "统一社会信用代码", "联系人", "手机", "负责人", "报备时间", "区域", "项目", "行业", "意向等级", "需求"}

// Held is a claim the sample expects to exist before it is imported:
// Owner (a demo username) registers Input.
type Held struct {
	Owner string
	Input domain.RegistrationInput
}

// Sample is a generated file and what importing it must give.
type Sample struct {
	Rows [][]string // data rows, in Header's columns
	// Held are the claims to register before importing (none of them
	// by the rows' own registrations).
	Held []Held
	// Expected counts the rows per outcome (new, duplicate, conflict,
	// invalid), with the held claims registered first.
	Expected map[domain.ImportOutcome]int
	// Outcomes is each row's expected outcome.
	Outcomes []domain.ImportOutcome
}

// Shares of the rows, in per mille: invalid rows, rows meeting a held
// claim of another owner (conflict) or of their own owner (duplicate),
// rows repeating an earlier row for the same owner (duplicate; a quarter
// by phone only, the rest by a name variant) or another owner (conflict).
const (
	invalidPerMille      = 20
	heldConflictPerMille = 30
	heldDupPerMille      = 10
	fileDupPerMille      = 40
	fileConflictPerMille = 30
)

var (
	places = []string{"北京", "上海", "天津", "重庆", "广州", "深圳", "杭州", "南京", "苏州", "成都", "武汉", "西安", "长沙", "青岛", "厦门",
		"宁波", "无锡", "合肥", "福州", "济南", "郑州", "昆明", "大连", "沈阳", "东莞", "佛山", "温州", "珠海", "南昌", "贵阳"}
	words1 = []string{"华为", "中兴", "联想", "海尔", "美的", "格力", "腾飞", "恒通", "金桥", "银河", "东方", "南华", "北辰", "宏图", "鼎盛", "天成",
		"瑞丰", "安泰", "永兴", "新亚", "博远", "昌盛", "德信", "丰源", "光明", "汇通", "佳禾", "嘉华", "凯达", "兰亭", "茂源", "明珠",
		"宁远", "鹏程", "启航", "荣达", "盛世", "泰和", "万象", "祥云"}
	words2 = []string{"智能", "数据", "云端", "精工", "新材", "远航", "星辰", "创新", "联合", "卓越", "优品", "睿思", "嘉业", "立方", "微光", "蓝海",
		"绿洲", "金石", "银杏", "松柏", "青山", "白云", "朝阳", "晨曦", "海纳", "山河", "锦程", "同创", "合众", "中天", "信达", "众诚",
		"宏达", "亿丰", "华晟", "普惠", "康源", "瑞景", "悦达", "博雅"}
	trades     = []string{"科技", "信息", "贸易", "物流", "制造", "电子", "软件", "医疗", "建材", "食品"}
	industries = []string{"通信", "制造业", "零售", "物流", "医疗", "教育", "金融", "能源"}
	owners     = []string{"sales1", "sales2", "sales3", "sales4", "manager1"}
	grades     = []string{"H", "A", "B", "C"}
	contacts   = []string{"张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强"}
)

// company is one generated company: its place and the rest of its name.
type company struct{ place, body string }

// names are the spellings of c that all normalise to one name key.
func (c company) variant(v int) string {
	switch v % 6 {
	case 1:
		return c.body + "(" + c.place + ")有限公司"
	case 2:
		return "（" + c.place + "）" + c.body + "有限责任公司"
	case 3:
		return c.place + "市" + c.body + "股份有限公司"
	case 4:
		return c.place + " " + c.body + " 有限公司"
	case 5:
		return c.place + c.body + "集团有限公司"
	}
	return c.place + c.body + "有限公司"
}

// Variants returns the spellings the sample uses for one company; the
// tests check that they share a name key.
func Variants(i int) []string {
	c := companyAt(i)
	out := make([]string, 6)
	for v := range out {
		out[v] = c.variant(v)
	}
	return out
}

// companyAt enumerates distinct companies: every i below the product of
// the list sizes gives another name.
func companyAt(i int) company {
	n := len(places) * len(words1) * len(words2) * len(trades)
	i = (i * 7919) % n // spread neighbours over the lists
	p := places[i%len(places)]
	i /= len(places)
	w1 := words1[i%len(words1)]
	i /= len(words1)
	w2 := words2[i%len(words2)]
	i /= len(words2)
	return company{place: p, body: w1 + w2 + trades[i%len(trades)]}
}

// row is a data row being generated and where it sorts.
type row struct {
	cells   []string
	outcome domain.ImportOutcome
	order   float64
}

// Generate returns a sample of n rows for seed.
func Generate(n int, seed uint64) Sample {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	phone := 0
	nextPhone := func() string {
		phone++
		return fmt.Sprintf("139%08d", (phone*7919)%100_000_000)
	}
	companies := 0
	nextCompany := func() company {
		companies++
		return companyAt(companies)
	}
	regAt := func() string {
		t := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(290*24*60)) * time.Minute)
		return t.Format("2006-01-02 15:04")
	}
	mk := func(name, ph, owner string) []string {
		return []string{name, "", contacts[rng.IntN(len(contacts))], ph, owner, regAt(), "北京", "",
			industries[rng.IntN(len(industries))], grades[rng.IntN(len(grades))], "采购咨询"}
	}
	count := func(perMille int) int { return n * perMille / 1000 }
	var s Sample
	var rows []row
	add := func(cells []string, outcome domain.ImportOutcome, order float64) {
		rows = append(rows, row{cells, outcome, order})
	}
	// Claims held before the import, and rows meeting them under a name
	// variant with a new phone.
	for i := range count(heldConflictPerMille) + count(heldDupPerMille) {
		c := nextCompany()
		holder, rowOwner, outcome := "sales3", owners[i%2], domain.OutcomeConflict // sales1 or sales2
		if i >= count(heldConflictPerMille) {
			holder, rowOwner, outcome = "sales1", "sales1", domain.OutcomeDuplicate
		}
		s.Held = append(s.Held, Held{Owner: holder, Input: heldInput(c.variant(0), nextPhone())})
		add(mk(c.variant(1+i%5), nextPhone(), rowOwner), outcome, rng.Float64())
	}
	// Invalid rows, five kinds.
	for i := range count(invalidPerMille) {
		cells := mk(nextCompany().variant(0), nextPhone(), owners[i%len(owners)])
		switch i % 5 {
		case 0:
			cells[0] = ""
		case 1:
			cells[3] = "12ab34"
		case 2:
			cells[4] = "nobody"
		case 3:
			cells[5] = "昨天"
		case 4:
			cells[2], cells[3], cells[8], cells[9], cells[10] = "", "", "", "", ""
		}
		add(cells, domain.OutcomeInvalid, rng.Float64())
	}
	repeats := count(fileDupPerMille) + count(fileConflictPerMille)
	fresh := n - len(rows) - repeats
	type original struct {
		c            company
		phone, owner string
		order        float64
	}
	var originals []original
	for i := range fresh {
		c, ph, owner := nextCompany(), nextPhone(), owners[i%len(owners)]
		order := rng.Float64()
		add(mk(c.variant(rng.IntN(6)), ph, owner), domain.OutcomeNew, order)
		originals = append(originals, original{c, ph, owner, order})
	}
	// Repeats of distinct earlier rows, placed after them.
	for i, o := range rng.Perm(len(originals))[:repeats] {
		orig := originals[o]
		after := orig.order + (1-orig.order)*rng.Float64()*0.999 + 1e-9
		if i < count(fileDupPerMille) {
			name, ph := orig.c.variant(rng.IntN(6)), nextPhone()
			if i%4 == 0 { // the same phone under another name
				name, ph = nextCompany().variant(0), orig.phone
			}
			add(mk(name, ph, orig.owner), domain.OutcomeDuplicate, after)
			continue
		}
		other := owners[(slices.Index(owners, orig.owner)+1+rng.IntN(len(owners)-1))%len(owners)]
		add(mk(orig.c.variant(rng.IntN(6)), nextPhone(), other), domain.OutcomeConflict, after)
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		switch {
		case a.order < b.order:
			return -1
		case a.order > b.order:
			return 1
		}
		return 0
	})
	s.Expected = map[domain.ImportOutcome]int{}
	for _, r := range rows {
		s.Rows = append(s.Rows, r.cells)
		s.Outcomes = append(s.Outcomes, r.outcome)
		s.Expected[r.outcome]++
	}
	return s
}

// heldInput is a claim complete enough for the default policy.
func heldInput(name, phone string) domain.RegistrationInput {
	return domain.RegistrationInput{
		Customer: domain.Customer{Kind: domain.KindCompany, Name: name, Industry: "通信", Region: "北京",
			Contacts: []domain.Contact{{Name: "周经理", Phone: phone, Relation: "self"}}},
		Grade: "A", Needs: "年度采购",
	}
}

// Table returns the sample as a table, headings first.
func (s Sample) Table() [][]string { return append([][]string{Header}, s.Rows...) }
