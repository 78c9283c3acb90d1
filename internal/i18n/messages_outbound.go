package i18n

// outboundMessages are the catalogue's strings of outbound notifications:
// the channels (e-mail, WeCom and DingTalk robots, webhooks) and the
// outbox page. They join the one catalogue at start-up, kept apart like
// dealMessages.
var outboundMessages = map[string]Text{
	"nav.outbox": {"消息推送", "Outbound messages"},
	"user.email": {"电子邮件 (接收通知, 可不填)", "E-mail (for notifications, optional)"},

	"outbound.help":             {"除站内通知外, 可将以下事件推送到邮箱、企业微信群、钉钉群或其他系统。每条消息先写入发件箱, 与事件同一事务提交, 失败后按退避重试。", "Besides the in-app notifications, these events can be sent by e-mail, to WeCom or DingTalk groups, or to other systems. Each message is written to the outbox in the event's own transaction and retried with backoff when a send fails."},
	"outbound.channels":         {"推送渠道", "Channels"},
	"outbound.no_channels":      {"尚未配置推送渠道", "No channels yet"},
	"outbound.new":              {"新增渠道", "Add a channel"},
	"outbound.edit":             {"修改渠道", "Change the channel"},
	"outbound.name":             {"名称", "Name"},
	"outbound.kind":             {"类型", "Kind"},
	"outbound.kind.email":       {"电子邮件 (SMTP)", "E-mail (SMTP)"},
	"outbound.kind.wecom":       {"企业微信群机器人", "WeCom group robot"},
	"outbound.kind.dingtalk":    {"钉钉群机器人", "DingTalk group robot"},
	"outbound.kind.webhook":     {"通用 Webhook (JSON)", "Generic webhook (JSON)"},
	"outbound.enabled":          {"启用", "Enabled"},
	"outbound.disabled":         {"已停用", "Disabled"},
	"outbound.events":           {"推送事件", "Events"},
	"outbound.target":           {"发送到", "Sends to"},
	"outbound.webhook":          {"Webhook (企业微信、钉钉、通用)", "Webhook (WeCom, DingTalk, generic)"},
	"outbound.url":              {"Webhook 地址 (http:// 或 https://)", "Webhook URL (http:// or https://)"},
	"outbound.secret":           {"签名密钥 (钉钉加签; 通用 Webhook 的 HMAC 密钥, 可不填)", "Signing secret (DingTalk sign; the generic webhook's HMAC key; optional)"},
	"outbound.keyword":          {"钉钉自定义关键词 (可不填)", "DingTalk keyword (optional)"},
	"outbound.markdown":         {"企业微信使用 Markdown 格式", "WeCom: send markdown"},
	"outbound.smtp":             {"邮件服务器 (发送给被通知人的邮箱)", "Mail server (sends to the notified user's address)"},
	"outbound.smtp_host":        {"SMTP 主机", "SMTP host"},
	"outbound.smtp_port":        {"端口 (465 为 SSL, 其他端口支持 STARTTLS)", "Port (465: SSL; others use STARTTLS when offered)"},
	"outbound.smtp_username":    {"用户名 (可不填)", "User name (optional)"},
	"outbound.smtp_password":    {"密码", "Password"},
	"outbound.smtp_from":        {"发件地址", "Sender address"},
	"outbound.keep_secret":      {"已设置; 留空则不修改", "Set; leave empty to keep it"},
	"outbound.keep_url":         {"当前: %s; 留空则不修改", "Now: %s; leave empty to keep it"},
	"outbound.secret_set":       {"已设置密钥", "secret set"},
	"outbound.deliveries":       {"最近投递", "Recent deliveries"},
	"outbound.no_deliveries":    {"暂无投递记录", "Nothing sent yet"},
	"outbound.created_at":       {"时间", "Time"},
	"outbound.channel":          {"渠道", "Channel"},
	"outbound.recipient":        {"被通知人", "For"},
	"outbound.message":          {"内容", "Message"},
	"outbound.status":           {"状态", "Status"},
	"outbound.attempts":         {"尝试次数", "Attempts"},
	"outbound.next_attempt":     {"下次尝试", "Next attempt"},
	"outbound.last_error":       {"最近错误", "Last error"},
	"outbound.retry":            {"重试", "Retry"},
	"outbound.status.pending":   {"待发送", "Pending"},
	"outbound.status.delivered": {"已送达", "Delivered"},
	"outbound.status.dead":      {"已放弃", "Dead"},
	"flash.retry_queued":        {"已重新排队发送", "Queued to be sent again"},
}

func init() { mergeArea(outboundMessages) }
