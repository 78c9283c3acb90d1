package templates

import "strings"

// uaBrowsers and uaSystems name what a user agent string shows, checked in
// order: apps that embed a browser before the browsers they embed, Edge
// and Opera before the Chrome they name too, Chrome before Safari.
var (
	uaBrowsers = [][2]string{
		{"wxwork", "企业微信"}, {"DingTalk", "钉钉"}, {"MicroMessenger", "微信"},
		{"Edg", "Edge"}, {"OPR", "Opera"}, {"Firefox", "Firefox"}, {"Chrome", "Chrome"}, {"Safari", "Safari"},
	}
	uaSystems = [][2]string{
		{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	}
)

// deviceName sums up a user agent string as "browser · system" (Chrome ·
// Windows); one it does not know shows its first product name.
func deviceName(ua string) string {
	var parts []string
	for _, list := range [][][2]string{uaBrowsers, uaSystems} {
		for _, m := range list {
			if strings.Contains(ua, m[0]) {
				parts = append(parts, m[1])
				break
			}
		}
	}
	if len(parts) == 0 {
		product, _, _ := strings.Cut(ua, " ")
		product, _, _ = strings.Cut(product, "/")
		return product
	}
	return strings.Join(parts, " · ")
}
