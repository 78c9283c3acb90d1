package i18n

// accountMessages are the catalogue's strings of the user's account: the
// password change an admin's reset forces, API token scopes and expiry,
// and the list of signed-in sessions. They join the one catalogue at
// start-up (kept apart so that features built side by side do not edit
// one file).
var accountMessages = map[string]Text{
	"account.password_change": {"设置新密码", "Choose a new password"},
	"account.password_forced": {"管理员已重置您的密码。请输入管理员给您的临时密码, 并设置一个新密码后继续使用。",
		"An administrator reset your password. Enter the temporary password you were given and choose a new one to continue."},

	"token.scope":       {"权限", "Scope"},
	"token.scope.read":  {"只读", "Read only"},
	"token.scope.write": {"读写", "Read and write"},
	"token.expires":     {"有效期至", "Expires"},
	"token.expires_on":  {"到期日期 (选择“指定日期”时)", "Expiry date (with “On a date”)"},
	"token.days":        {"%s 天", "%s days"},
	"token.on_date":     {"指定日期", "On a date"},
	"token.never":       {"永不过期", "Never"},
	"token.expired":     {"已过期", "Expired"},

	"session.title":         {"登录设备", "Signed-in devices"},
	"session.help":          {"您的账号当前登录的浏览器。发现不认识的设备, 请退出它并修改密码。", "The browsers your account is signed in on. If you do not recognise one, sign it out and change your password."},
	"session.device":        {"设备 (浏览器)", "Device (browser)"},
	"session.address":       {"IP 地址", "Address"},
	"session.signed_in":     {"登录时间", "Signed in"},
	"session.last_seen":     {"最近活动", "Last seen"},
	"session.current":       {"当前设备", "This device"},
	"session.revoke":        {"退出登录", "Sign out"},
	"session.revoke_others": {"退出其他所有设备", "Sign out all other devices"},

	"flash.session_revoked":  {"已退出该设备", "That device is signed out"},
	"flash.sessions_revoked": {"已退出其他所有设备", "All other devices are signed out"},
}

func init() { mergeArea(accountMessages) }
