import type { L10n } from "@/lib/lessons/types";
import { textLookup } from "@/lib/lessons/ui-text";

/**
 * Every word of the teacher's dashboard (TeacherDashboard, RoomDashboard),
 * in both languages. What people typed (room names, students' names, the
 * teacher's messages), codes and what the server sends (a drill's title, a
 * refusal) are shown as they came.
 */
export const TEACH_TEXT = {
  checking: { en: "Checking your teacher login…", "zh-CN": "正在检查教师登录…" },
  dashboard: { en: "Teacher dashboard", "zh-CN": "教师面板" },
  token: { en: "Teacher token", "zh-CN": "教师令牌" },
  tokenHelp: {
    en: "The lab printed it when it started (or it is the {env} it was started with).",
    "zh-CN": "实验室启动时把它打印了出来（或者就是启动时设定的 {env}）。",
  },
  open: { en: "Open the dashboard", "zh-CN": "打开面板" },
  classroom: { en: "Classroom", "zh-CN": "课堂" },
  rooms: { en: "Rooms", "zh-CN": "课堂列表" },
  closed: { en: "(closed)", "zh-CN": "（已关闭）" },
  newRoomName: { en: "New room name", "zh-CN": "新课堂的名称" },
  newRoomPlaceholder: { en: "New room, e.g. Period 3", "zh-CN": "新课堂，例如 三年级二班" },
  defaultRoomName: { en: "Class of {date}", "zh-CN": "{date} 的课堂" },
  createRoom: { en: "Create room", "zh-CN": "创建课堂" },
  logOut: { en: "Log out", "zh-CN": "退出登录" },
  noRooms: { en: "No rooms yet: create one, then show its code on the projector.", "zh-CN": "还没有课堂：先创建一个，再把它的代码投到大屏幕上。" },

  loadingRoom: { en: "Loading the room…", "zh-CN": "正在加载课堂…" },
  connecting: { en: "Connecting to the room's live feed…", "zh-CN": "正在连接课堂的实时推送…" },
  joinCodeDialog: { en: "Join code {code}", "zh-CN": "加入代码 {code}" },
  closeEsc: { en: "Close (Esc)", "zh-CN": "关闭（Esc）" },
  joinAt: { en: "Join {room} at", "zh-CN": "加入 {room}：" },
  qrFor: { en: "QR code for {url}", "zh-CN": "{url} 的二维码" },
  joinCode: { en: "Join code", "zh-CN": "加入代码" },
  roomJoinCode: { en: "{room} · join code", "zh-CN": "{room} · 加入代码" },
  counts: { en: "{students} students · {online} online", "zh-CN": "{students} 名学生 · {online} 人在线" },
  closedBadge: { en: "closed", "zh-CN": "已关闭" },
  live: { en: "live", "zh-CN": "实时" },
  reconnecting: { en: "reconnecting", "zh-CN": "正在重连" },
  projector: { en: "Show on projector", "zh-CN": "投到大屏幕" },
  roomActions: { en: "Room actions", "zh-CN": "课堂操作" },
  exportCsv: { en: "Export progress (CSV)", "zh-CN": "导出进度（CSV）" },
  closeRoomConfirm: {
    en: "Close {room}? Students can no longer join or report progress; their progress stays for export.",
    "zh-CN": "关闭 {room}？学生将无法再加入或上报进度；已有的进度仍可导出。",
  },
  closeRoom: { en: "Close room", "zh-CN": "关闭课堂" },
  students: { en: "Students", "zh-CN": "学生" },
  classProgress: { en: "Class progress", "zh-CN": "全班进度" },

  drillTitle: { en: "Fault drill for the whole room", "zh-CN": "全班故障演练" },
  left: { en: "{time} left", "zh-CN": "还剩 {time}" },
  liftNow: { en: "Lift now", "zh-CN": "立即解除" },
  faultPreset: { en: "Fault preset", "zh-CN": "故障预设" },
  forMinutes: { en: "for", "zh-CN": "持续" },
  minutes: { en: "Minutes", "zh-CN": "分钟数" },
  min: { en: "min", "zh-CN": "分钟" },
  startDrill: { en: "Start drill", "zh-CN": "开始演练" },

  messageTitle: { en: "Message to the room", "zh-CN": "给全班的消息" },
  message: { en: "Message", "zh-CN": "消息" },
  messagePlaceholder: { en: "e.g. Open lesson 2 now", "zh-CN": "例如：现在打开第 2 课" },
  send: { en: "Send", "zh-CN": "发送" },
  sentMessages: { en: "Sent messages", "zh-CN": "已发送的消息" },

  noProgress: { en: "No progress yet: it appears here as students pass their lessons' checks.", "zh-CN": "还没有进度：学生每通过一课的检查，就会出现在这里。" },
  ofPassed: { en: "{passed} of {total} passed", "zh-CN": "{total} 人中 {passed} 人通过" },
  noOneYet: { en: "No one has joined yet. Students open the join address and type the code.", "zh-CN": "还没有人加入。学生打开加入地址，输入代码即可。" },
  student: { en: "Student", "zh-CN": "学生" },
  status: { en: "Status", "zh-CN": "状态" },
  lessonAndStep: { en: "Lesson and step", "zh-CN": "课程与步骤" },
  checksPassed: { en: "Checks passed", "zh-CN": "通过的检查" },
  actions: { en: "Actions", "zh-CN": "操作" },
  leftClass: { en: " (left)", "zh-CN": "（已退出）" },
  online: { en: "online", "zh-CN": "在线" },
  offline: { en: "offline", "zh-CN": "离线" },
  active: { en: "active {ago}", "zh-CN": "{ago}活跃" },
  noActivity: { en: "no activity yet", "zh-CN": "还没有活动" },
  passedMark: { en: "✓ passed", "zh-CN": "✓ 已通过" },
  notYet: { en: "· not yet", "zh-CN": "· 尚未通过" },
  notStarted: { en: "not started", "zh-CN": "还没开始" },
  nChecksPassed: { en: "{n} checks passed", "zh-CN": "通过了 {n} 项检查" },
  failingAgain: { en: " (failing again now)", "zh-CN": "（现在又没通过了）" },
  more: { en: "+{n} more", "zh-CN": "还有 {n} 项" },
  resetConfirm: {
    en: "Reset {name}'s sandbox? Their data, counters, fault rules, defences and trace start afresh; their progress stays.",
    "zh-CN": "重置 {name} 的沙箱？数据、计数、故障规则、防御和追踪都会重新开始；学习进度保留。",
  },
  resetSandbox: { en: "Reset sandbox", "zh-CN": "重置沙箱" },
  resumeCode: { en: "Resume code", "zh-CN": "恢复码" },

} as const satisfies Record<string, L10n>;

export type TeachTextKey = keyof typeof TEACH_TEXT;

/** A dashboard text in `locale`, with `{name}` placeholders filled from `vars`. */
export const teachText = textLookup(TEACH_TEXT);
