<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Codes</name>
    <message>
        <location filename="../../ui/i18n.py" line="206"/>
        <source>Ordered</source>
        <translation>已下单</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="207"/>
        <source>Picked up by system</source>
        <translation>已抓单</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="208"/>
        <source>Collected</source>
        <translation>已揽收</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="209"/>
        <source>Received</source>
        <translation>已收件</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="210"/>
        <source>Awaiting handling</source>
        <translation>待处理</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="211"/>
        <source>Completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="212"/>
        <source>Destroyed</source>
        <translation>已销毁</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="213"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="214"/>
        <source>Warehouse handling</source>
        <translation>仓库处理中</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="215"/>
        <source>Voided</source>
        <translation>已作废</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="224"/>
        <source>Pending</source>
        <translation>待处理</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="225"/>
        <source>In progress</source>
        <translation>处理中</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="226"/>
        <source>Completed</source>
        <comment>handling status</comment>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="236"/>
        <source>WINIT returns are shown, not decided: WINIT has no public API for it</source>
        <translation>WINIT 退货仅供查看，不能在此处理：WINIT 没有公开的处理接口</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="238"/>
        <source>has its own flow and cannot be chosen here</source>
        <translation>有单独的流程，不能在此选择</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="239"/>
        <source>is the current handling</source>
        <translation>是当前的处理方式</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="240"/>
        <source>a value-added service on this item is not finished yet</source>
        <translation>此物品的增值服务尚未完成</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="241"/>
        <source>the warehouse has completed handling this item</source>
        <translation>仓库已完成此物品的处理</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="242"/>
        <source>the item has no return inventory id yet (it arrives with the webhook)</source>
        <translation>此物品还没有退货库存 ID（随 webhook 到达）</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="243"/>
        <source>locks the RMA mapping: no RMA swap is possible afterwards</source>
        <translation>将锁定 RMA 对应关系：之后无法再更换 RMA</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="244"/>
        <source>the warehouse is already handling this item; the API may refuse</source>
        <translation>仓库已在处理此物品；接口可能会拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="302"/>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="303"/>
        <source>Sending</source>
        <translation>发送中</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="304"/>
        <source>Applied</source>
        <translation>已应用</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="305"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="306"/>
        <source>Discarded</source>
        <translation>已放弃</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="307"/>
        <source>Superseded</source>
        <translation>已被取代</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="315"/>
        <source>Return Helper</source>
        <translation>Return Helper</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="315"/>
        <source>WINIT</source>
        <translation>万邑通 WINIT</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="322"/>
        <source>Good</source>
        <translation>良品</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="322"/>
        <source>Defective</source>
        <translation>不良品</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="330"/>
        <source>Put away</source>
        <translation>直接上架</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="331"/>
        <source>Photograph as new, put away</source>
        <translation>新品拍照上架</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="332"/>
        <source>Destroy</source>
        <translation>销毁</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="333"/>
        <source>Put away as good</source>
        <translation>良品上架</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="334"/>
        <source>Put away as defective</source>
        <translation>不良品上架</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="355"/>
        <source>Withdrawn by an undo before it was sent; nothing went to Return Helper</source>
        <translation>已在发送前撤销；未向 Return Helper 发送任何内容</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="256"/>
        <source>handling types could not be read from the API: {error}</source>
        <translation>无法从 API 读取处理方式：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="258"/>
        <source>no handling types known yet: connect to Return Helper once</source>
        <translation>尚无已知的处理方式：请先连接一次 Return Helper</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="260"/>
        <source>item {key} is not in the store</source>
        <translation>物品 {key} 不在数据存储中</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="261"/>
        <source>{handling} is not a handling type Return Helper offers</source>
        <translation>{handling} 不是 Return Helper 提供的处理方式</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="262"/>
        <source>{handling}: {reason}</source>
        <translation>{handling}：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="263"/>
        <source>another decision on {key} (by {operator} at {desk}) is still being sent; wait for it to finish</source>
        <translation>{key} 的另一条处理决定（由 {operator} 在 {desk} 做出）仍在发送中；请等待其完成</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="265"/>
        <source>another desk decided first: the handling of {key} is now {current}, not {expected}</source>
        <translation>另一个工作台已先做出决定：{key} 的处理方式现在是 {current}，而不是 {expected}</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="267"/>
        <source>the warehouse has already acted on this item: it cannot be undone</source>
        <translation>仓库已对此物品进行处理：无法撤销</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="269"/>
        <source>the update to {handling} for {key} is being sent: wait for Return Helper's answer, then undo it</source>
        <translation>{key} 更新为 {handling} 的请求正在发送：请等待 Return Helper 的答复后再撤销</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="271"/>
        <source>decision {id} is not a failed decision</source>
        <translation>处理决定 {id} 不是失败的处理决定</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="273"/>
        <source>the disk holding the store is full, so nothing was saved: free some space (ask IT), then try again</source>
        <translation>存放数据的磁盘已满，未保存任何内容：请释放空间（联系 IT）后重试</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="275"/>
        <source>the store's database server is out of disk space, so nothing was saved: ask its administrator to free space, then try again</source>
        <translation>数据存储的数据库服务器磁盘空间不足，未保存任何内容：请联系其管理员释放空间后重试</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="278"/>
        <source>the store is read-only, so nothing was saved: ask IT to check its permissions</source>
        <translation>数据存储为只读，未保存任何内容：请联系 IT 检查其权限</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="280"/>
        <source>the store is busy (another program keeps it locked): try again</source>
        <translation>数据存储正忙（另一个程序锁定了它）：请重试</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="290"/>
        <source>not set</source>
        <translation>未设置</translation>
    </message>
</context>
<context>
    <name>Decisions</name>
    <message>
        <location filename="../../ui/decision_common.py" line="46"/>
        <source>cancel: {change}</source>
        <translation>取消：{change}</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="139"/>
        <source>Failed decisions</source>
        <translation>失败的处理决定</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="141"/>
        <source>Return Helper refused these decisions, or they could not be sent and retrying will not help. Read the message, fix the cause (in Return Helper or with the warehouse), then Retry. Discard gives a decision up; it stays in the decision log.</source>
        <translation>Return Helper 拒绝了这些处理决定，或它们无法发送且重试也无济于事。请阅读消息，先排除原因（在 Return Helper 中或与仓库沟通），再点“重试”。“放弃”表示不再发送该决定；它仍保留在处理记录中。</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="146"/>
        <source>Selected decision: message and correlationId</source>
        <translation>所选决定：消息和 correlationId</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="147"/>
        <source>Number of failed decisions</source>
        <translation>失败的处理决定数量</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="148"/>
        <source>Failed decisions symbol</source>
        <translation>失败的处理决定图标</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="149"/>
        <source>Last action</source>
        <translation>上一步操作</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="150"/>
        <source>&amp;Retry</source>
        <translation>重试(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="151"/>
        <source>Retry the selected decisions</source>
        <translation>重试所选决定</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="152"/>
        <source>Send the selected decisions to Return Helper again</source>
        <translation>将所选决定再次发送到 Return Helper</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="153"/>
        <source>&amp;Discard…</source>
        <translation>放弃(&amp;D)…</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="154"/>
        <source>Discard the selected decisions</source>
        <translation>放弃所选决定</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="155"/>
        <source>Give the selected decisions up; they stay in the log</source>
        <translation>放弃所选决定；它们仍保留在记录中</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="156"/>
        <source>&amp;Copy correlationId</source>
        <translation>复制 correlationId(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="157"/>
        <source>Copy correlationId</source>
        <translation>复制 correlationId</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="158"/>
        <source>Copy the selected decisions' correlationIds for support</source>
        <translation>复制所选决定的 correlationId，供技术支持使用</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="159"/>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="160"/>
        <source>Refresh the list</source>
        <translation>刷新列表</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="170"/>
        <source>Decided</source>
        <translation>决定时间</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="170"/>
        <source>Item</source>
        <translation>物品</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="170"/>
        <source>Handling</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="170"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="170"/>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="171"/>
        <source>Error code</source>
        <translation>错误代码</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="171"/>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="171"/>
        <source>correlationId</source>
        <translation>correlationId</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="171"/>
        <source>Operator</source>
        <translation>操作员</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="255"/>
        <source>Reading the failed decisions…</source>
        <translation>正在读取失败的处理决定…</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="375"/>
        <source>Discard decisions</source>
        <translation>放弃处理决定</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="261"/>
        <source>No failed decisions</source>
        <translation>没有失败的处理决定</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="351"/>
        <source>{n} decision(s) queued again; they are sent in the background.</source>
        <translation>{n} 条处理决定已重新排队，将在后台发送。</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="402"/>
        <source>{n} decision(s) discarded.</source>
        <translation>已放弃 {n} 条处理决定。</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="290"/>
        <source>Message: {message}</source>
        <translation>消息：{message}</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="291"/>
        <source>Error code: {code}</source>
        <translation>错误代码：{code}</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="292"/>
        <source>correlationId: {id}</source>
        <translation>correlationId：{id}</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="293"/>
        <source>Attempts: {n} · decided {time} by {operator} at {desk}</source>
        <translation>尝试次数：{n} · 由 {operator} 于 {time} 在 {desk} 做出</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="376"/>
        <source>Give up {n} failed decision(s)? They are not sent again; the decision log keeps them as discarded.</source>
        <translation>放弃 {n} 条失败的处理决定？它们不会再被发送；处理记录中将标记为“已放弃”。</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="214"/>
        <source>The store could not be read: {error}</source>
        <translation>无法读取数据存储：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="258"/>
        <source>{n} failed decision(s) need attention</source>
        <translation>{n} 条失败的处理决定需要处理</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="264"/>
        <source>{n} being retried</source>
        <translation>{n} 条正在重试</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="354"/>
        <source>{n} were no longer failed (another desk acted).</source>
        <translation>{n} 条已不再是失败状态（其他工作台已处理）。</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="421"/>
        <source>Copied: {ids}</source>
        <translation>已复制：{ids}</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="347"/>
        <source>Could not retry: {error}</source>
        <translation>无法重试：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="398"/>
        <source>Could not discard: {error}</source>
        <translation>无法放弃：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/decision_failed.py" line="228"/>
        <source>Applied after retry: {item} {change}</source>
        <translation>重试后已应用：{item} {change}</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="146"/>
        <source>Decision log</source>
        <translation>处理记录</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="148"/>
        <source>&amp;Day:</source>
        <translation>日期(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="149"/>
        <source>Day shown</source>
        <translation>显示的日期</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="150"/>
        <source>Previous day</source>
        <translation>前一天</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="152"/>
        <source>Next day</source>
        <translation>后一天</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="154"/>
        <source>&amp;Today</source>
        <translation>今天(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="155"/>
        <source>Show today</source>
        <translation>显示今天</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="156"/>
        <source>Number of decisions shown</source>
        <translation>显示的处理决定数量</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="157"/>
        <source>Decisions of the day</source>
        <translation>当天的处理决定</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="158"/>
        <source>Ctrl+C copies the selected rows</source>
        <translation>Ctrl+C 复制所选行</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="159"/>
        <source>Export result</source>
        <translation>导出结果</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="160"/>
        <source>Export result symbol</source>
        <translation>导出结果图标</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="161"/>
        <source>&amp;Export CSV…</source>
        <translation>导出 CSV(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="162"/>
        <source>Export the day as CSV</source>
        <translation>将当天记录导出为 CSV</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="163"/>
        <source>Write this day's decisions to a CSV file</source>
        <translation>将当天的处理决定写入 CSV 文件</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="173"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="173"/>
        <source>Desk</source>
        <translation>工作台</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="173"/>
        <source>RMA</source>
        <translation>RMA</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="174"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="258"/>
        <source>Export decisions as CSV</source>
        <translation>将处理决定导出为 CSV</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="259"/>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV 文件 (*.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="316"/>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="228"/>
        <source>{n} decision(s) on {day}</source>
        <translation>{day} 共 {n} 条处理决定</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="280"/>
        <source>Writing {path}…</source>
        <translation>正在写入 {path}…</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="299"/>
        <source>The file could not be written: {path}: {reason}. Nothing was lost: the decisions stay in the store and any earlier file is unchanged. Choose another folder (or free some space) and export again.</source>
        <translation>无法写入文件：{path}：{reason}。没有丢失任何数据：处理决定仍保存在数据存储中，已有的文件也未被改动。请选择其他文件夹（或释放磁盘空间）后重新导出。</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="210"/>
        <source>The decisions could not be read: {error}</source>
        <translation>无法读取处理决定：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="230"/>
        <source>{n} failed</source>
        <translation>{n} 条失败</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="291"/>
        <source>{n} decision(s) of {day} written to {path}</source>
        <translation>已将 {day} 的 {n} 条处理决定写入 {path}</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="213"/>
        <source>Read decision log</source>
        <translation>读取处理记录</translation>
    </message>
    <message>
        <location filename="../../ui/decision_log.py" line="312"/>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="192"/>
        <source>Outbox</source>
        <translation>发件箱</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="193"/>
        <source>Queued decisions</source>
        <translation>排队中的处理决定</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="194"/>
        <source>Queued symbol</source>
        <translation>排队图标</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="195"/>
        <source>Decisions being sent</source>
        <translation>正在发送的处理决定</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="196"/>
        <source>Sending symbol</source>
        <translation>发送图标</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="197"/>
        <source>Failed decisions: open the list</source>
        <translation>失败的处理决定：打开列表</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="259"/>
        <source>&amp;Decisions</source>
        <translation>处理决定(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="260"/>
        <source>Decisions menu</source>
        <translation>处理决定菜单</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="261"/>
        <source>&amp;Failed decisions…</source>
        <translation>失败的处理决定(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="264"/>
        <source>Decision &amp;log…</source>
        <translation>处理记录(&amp;L)…</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="167"/>
        <source>outbox unreadable</source>
        <translation>无法读取发件箱</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="183"/>
        <source>Outbox: {q} queued, {s} sending, {f} failed</source>
        <translation>发件箱：{q} 条排队中，{s} 条发送中，{f} 条失败</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="189"/>
        <source>No failed decisions (Ctrl+Shift+F opens the list)</source>
        <translation>没有失败的处理决定（Ctrl+Shift+F 打开列表）</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="176"/>
        <source>{n} queued</source>
        <translation>{n} 条排队中</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="177"/>
        <source>{n} sending</source>
        <translation>{n} 条发送中</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="262"/>
        <source>Failed decisions: retry or discard ({key})</source>
        <translation>失败的处理决定：重试或放弃（{key}）</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="265"/>
        <source>The decisions of a day, and their CSV export ({key})</source>
        <translation>某一天的处理决定及其 CSV 导出（{key}）</translation>
    </message>
    <message>
        <location filename="../../ui/decisions.py" line="187"/>
        <source>{n} failed: press to see, retry or discard them (Ctrl+Shift+F)</source>
        <translation>{n} 条失败：点击查看、重试或放弃（Ctrl+Shift+F）</translation>
    </message>
</context>
<context>
    <name>DetailPanel</name>
    <message>
        <location filename="../../ui/detail.py" line="144"/>
        <source>Item details</source>
        <translation>物品详情</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="145"/>
        <source>Item</source>
        <translation>物品</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="150"/>
        <source>Goods</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="151"/>
        <source>Images</source>
        <translation>图片</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="152"/>
        <source>Warehouse remarks</source>
        <translation>仓库备注</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="153"/>
        <source>Status history</source>
        <translation>状态历史</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="154"/>
        <source>Decision log</source>
        <translation>处理记录</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="155"/>
        <source>SKU lines</source>
        <translation>SKU 明细</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="156"/>
        <source>Declared and received goods compared</source>
        <translation>申报与实收商品对比</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="160"/>
        <source>Selected item</source>
        <translation>所选物品</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="171"/>
        <source>No item selected: scan a label or pick a row</source>
        <translation>未选择物品：请扫描标签或选择一行</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="273"/>
        <source>Key</source>
        <translation>键</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="273"/>
        <source>RMA</source>
        <translation>RMA</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="273"/>
        <source>Tracking number</source>
        <translation>跟踪号</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="274"/>
        <source>Return inventory id</source>
        <translation>退货库存 ID</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="274"/>
        <source>WINIT order</source>
        <translation>WINIT 退货订单</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="275"/>
        <source>Seller reference</source>
        <translation>卖家参考号</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="275"/>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="276"/>
        <source>Warehouse</source>
        <translation>仓库</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="276"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="276"/>
        <source>Handling</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="277"/>
        <source>Handling status</source>
        <translation>处理状态</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="277"/>
        <source>Return reason</source>
        <translation>退货原因</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="278"/>
        <source>Value</source>
        <translation>货值</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="278"/>
        <source>Value-added services</source>
        <translation>增值服务</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="279"/>
        <source>Received at</source>
        <translation>收件时间</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="289"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="289"/>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="289"/>
        <source>Barcode</source>
        <translation>商品条码</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="289"/>
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="289"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="290"/>
        <source>L x W x H (cm)</source>
        <translation>长 x 宽 x 高 (cm)</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="290"/>
        <source>Volume (m³)</source>
        <translation>体积 (m³)</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="290"/>
        <source>Weight (kg)</source>
        <translation>重量 (kg)</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="290"/>
        <source>Serials</source>
        <translation>序列号</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="291"/>
        <source>Handle method</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="326"/>
        <source>Line</source>
        <translation>行</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="326"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="326"/>
        <source>Declared</source>
        <translation>申报</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="326"/>
        <source>Received goods</source>
        <translation>实收</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="326"/>
        <source>Difference</source>
        <translation>差异</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="242"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="294"/>
        <source>Received</source>
        <translation>已收货</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="295"/>
        <source>Received (actual)</source>
        <translation>实收</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="380"/>
        <source>Declared (ordered) and received (put away) goods match.</source>
        <translation>申报（下单）与实收（上架）商品一致。</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="386"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="386"/>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="386"/>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="394"/>
        <source>Change</source>
        <translation>更改</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="394"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="403"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="403"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="404"/>
        <source>Operator</source>
        <translation>操作员</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="404"/>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="404"/>
        <source>correlationId</source>
        <translation>correlationId</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="424"/>
        <source>Loading image...</source>
        <translation>正在加载图片…</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="433"/>
        <source>Images cannot be loaded in this mode</source>
        <translation>此模式下无法加载图片</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="465"/>
        <source>no connection</source>
        <translation>无连接</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="336"/>
        <source>≠ not received</source>
        <translation>≠ 未收到</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="336"/>
        <source>≠ not declared</source>
        <translation>≠ 未申报</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="445"/>
        <source>Press to enlarge</source>
        <translation>点击放大</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="447"/>
        <source>Not an image</source>
        <translation>不是图片</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="451"/>
        <source>Image unavailable</source>
        <translation>图片不可用</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="458"/>
        <source>Image {n}</source>
        <translation>图片 {n}</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="368"/>
        <source>Declared and received differ</source>
        <translation>申报与实收不同</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="378"/>
        <source>Declared (ordered) against received (put away): {n} difference(s), marked ≠.</source>
        <translation>申报（下单）与实收（上架）对比：{n} 处差异，以 ≠ 标出。</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="401"/>
        <source>No decisions yet</source>
        <translation>尚无处理记录</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="423"/>
        <source>Image {n}, press to enlarge</source>
        <translation>图片 {n}，点击放大</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="352"/>
        <source>≠ differs</source>
        <translation>≠ 不同</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="352"/>
        <source>= same</source>
        <translation>= 相同</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="232"/>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="232"/>
        <source>not finished</source>
        <translation>未完成</translation>
    </message>
    <message>
        <location filename="../../ui/detail.py" line="454"/>
        <source>Load image</source>
        <translation>加载图片</translation>
    </message>
    <message>
        <location filename="../../ui/detail_widgets.py" line="31"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../ui/detail_widgets.py" line="99"/>
        <source>Enlarged image</source>
        <translation>放大的图片</translation>
    </message>
    <message>
        <location filename="../../ui/detail_widgets.py" line="111"/>
        <source>This file is not an image Qt can show.</source>
        <translation>此文件不是可显示的图片。</translation>
    </message>
    <message>
        <location filename="../../ui/detail_widgets.py" line="117"/>
        <source>The image could not be loaded: {error}</source>
        <translation>图片无法加载：{error}</translation>
    </message>
</context>
<context>
    <name>HandlingPanel</name>
    <message>
        <location filename="../../ui/handling.py" line="166"/>
        <source>&amp;Handling:</source>
        <translation>处理方式(&amp;H)：</translation>
    </message>
    <message>
        <location filename="../../ui/handling.py" line="167"/>
        <source>Handling</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <location filename="../../ui/handling.py" line="168"/>
        <source>Type the first letters of a code to choose it, Enter applies, Escape returns to the scan field</source>
        <translation>输入代码的首字母进行选择，回车确认，Esc 返回扫描框</translation>
    </message>
    <message>
        <location filename="../../ui/handling.py" line="170"/>
        <source>&amp;Apply</source>
        <translation>应用(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/handling.py" line="171"/>
        <source>Apply handling</source>
        <translation>应用处理方式</translation>
    </message>
    <message>
        <location filename="../../ui/handling.py" line="172"/>
        <source>Apply the chosen handling (Enter in the list)</source>
        <translation>应用所选处理方式（在列表中按回车）</translation>
    </message>
    <message>
        <location filename="../../ui/handling.py" line="173"/>
        <source>Handling warning</source>
        <translation>处理方式警告</translation>
    </message>
    <message>
        <location filename="../../ui/handling.py" line="174"/>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../ui/handling.py" line="210"/>
        <source>no handling is chosen: type the first letters of a code</source>
        <translation>尚未选择处理方式：请输入代码的前几个字母</translation>
    </message>
    <message>
        <location filename="../../ui/handling.py" line="189"/>
        <source>Warning: {code} {warnings}</source>
        <translation>警告：{code} {warnings}</translation>
    </message>
    <message>
        <location filename="../../ui/handling.py" line="206"/>
        <source>no handling can be applied to this item now</source>
        <translation>此物品现在不能应用任何处理方式</translation>
    </message>
    <message>
        <location filename="../../ui/handling.py" line="80"/>
        <source>(not available: {reason})</source>
        <translation>（不可用：{reason}）</translation>
    </message>
</context>
<context>
    <name>InventoryModel</name>
    <message>
        <location filename="../../ui/inventory.py" line="301"/>
        <source>This column cannot be sorted</source>
        <translation>此列不能排序</translation>
    </message>
    <message>
        <location filename="../../ui/inventory_text.py" line="78"/>
        <source>handling {code}</source>
        <translation>处理方式 {code}</translation>
    </message>
    <message>
        <location filename="../../ui/inventory_text.py" line="82"/>
        <source>correlationId {id}</source>
        <translation>correlationId {id}</translation>
    </message>
    <message>
        <location filename="../../ui/listing.py" line="68"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../ui/listing.py" line="69"/>
        <source>RMA</source>
        <translation>RMA</translation>
    </message>
    <message>
        <location filename="../../ui/listing.py" line="70"/>
        <source>Tracking number</source>
        <translation>跟踪号</translation>
    </message>
    <message>
        <location filename="../../ui/listing.py" line="71"/>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <location filename="../../ui/listing.py" line="72"/>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../../ui/listing.py" line="73"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../ui/listing.py" line="74"/>
        <source>L x W x H (cm)</source>
        <translation>长 x 宽 x 高 (cm)</translation>
    </message>
    <message>
        <location filename="../../ui/listing.py" line="75"/>
        <source>Weight (kg)</source>
        <translation>重量 (kg)</translation>
    </message>
    <message>
        <location filename="../../ui/listing.py" line="76"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/listing.py" line="77"/>
        <source>Handling</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <location filename="../../ui/listing.py" line="78"/>
        <source>Handling status</source>
        <translation>处理状态</translation>
    </message>
    <message>
        <location filename="../../ui/listing.py" line="79"/>
        <source>Update</source>
        <translation>更新</translation>
    </message>
    <message>
        <location filename="../../ui/listing.py" line="80"/>
        <source>Warehouse</source>
        <translation>仓库</translation>
    </message>
    <message>
        <location filename="../../ui/listing.py" line="81"/>
        <source>Received</source>
        <translation>收件时间</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/window.py" line="320"/>
        <source>Return Desk</source>
        <translation>Return Desk</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="321"/>
        <source>&amp;Scan:</source>
        <translation>扫描(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="323"/>
        <source>Scan result</source>
        <translation>扫描结果</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="324"/>
        <source>Scan result symbol</source>
        <translation>扫描结果图标</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="325"/>
        <source>Sho&amp;w:</source>
        <translation>显示(&amp;W)：</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="326"/>
        <source>Which items to list</source>
        <translation>列出哪些物品</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="327"/>
        <source>W&amp;arehouse:</source>
        <translation>仓库(&amp;A)：</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="328"/>
        <source>Warehouse filter</source>
        <translation>仓库筛选</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="329"/>
        <source>S&amp;ource:</source>
        <translation>来源(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="330"/>
        <source>Source filter</source>
        <translation>来源筛选</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="331"/>
        <source>Number of items listed</source>
        <translation>列出的物品数量</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="332"/>
        <source>S&amp;ync now</source>
        <translation>立即同步(&amp;Y)</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="333"/>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="334"/>
        <source>Fetch new and changed items from the APIs (F5)</source>
        <translation>从接口获取新增和变更的物品 (F5)</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="335"/>
        <source>Se&amp;ttings…</source>
        <translation>设置(&amp;T)…</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="336"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="337"/>
        <source>Environment, credentials, sound, scanner, language (Ctrl+,)</source>
        <translation>环境、凭据、声音、扫描枪、语言 (Ctrl+,)</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="338"/>
        <source>Inventory list</source>
        <translation>库存列表</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="339"/>
        <source>Returned parcels; F6 moves here, Enter opens the handling</source>
        <translation>退货包裹；F6 跳到此处，回车打开处理方式</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="340"/>
        <source>Several items match this scan; choose one and press Enter:</source>
        <translation>有多个物品与此扫描匹配；请选择一个并按回车：</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="341"/>
        <source>Matching items</source>
        <translation>匹配的物品</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="344"/>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="345"/>
        <source>Connection symbol</source>
        <translation>连接图标</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="346"/>
        <source>Last message</source>
        <translation>最新消息</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="347"/>
        <source>Sync progress</source>
        <translation>同步进度</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="318"/>
        <source>demo (built-in sandbox)</source>
        <translation>演示（内置沙盒）</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="431"/>
        <source>Connecting</source>
        <translation>正在连接</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="74"/>
        <source>All warehouses</source>
        <translation>全部仓库</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="84"/>
        <source>All sources</source>
        <translation>全部来源</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="142"/>
        <source>scanner</source>
        <translation>扫描枪</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="142"/>
        <source>typed</source>
        <translation>手工输入</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="69"/>
        <source>Awaiting decision</source>
        <translation>待处理</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="70"/>
        <source>Decided today</source>
        <translation>今日已处理</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="71"/>
        <source>All items</source>
        <translation>全部物品</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="297"/>
        <source>Nothing to undo.</source>
        <translation>没有可撤销的操作。</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="152"/>
        <source>Found {what} ({how})</source>
        <translation>已找到 {what}（{how}）</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="154"/>
        <source>not in the current list; shown anyway</source>
        <translation>不在当前列表中，仍然显示</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="263"/>
        <source>{code} queued for {what}; sending in the background</source>
        <translation>{code} 已为 {what} 排队，正在后台发送</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="271"/>
        <source>Not applied: {error}</source>
        <translation>未应用：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="276"/>
        <source>the store does not answer ({error})</source>
        <translation>数据存储没有响应（{error}）</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="116"/>
        <source>{n} item(s)</source>
        <translation>{n} 件物品</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="301"/>
        <source>Withdrawn: {code} for {what} had not been sent yet; nothing goes to Return Helper.</source>
        <translation>已撤回：{what} 的 {code} 尚未发送；不会向 Return Helper 发送任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="305"/>
        <source>Cancel queued for {what}</source>
        <translation>已为 {what} 排队取消</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="327"/>
        <source>Cancel applied for {what}</source>
        <translation>已取消 {what} 的处理方式</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="328"/>
        <source>{code} applied to {what}</source>
        <translation>{code} 已应用到 {what}</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="135"/>
        <source>The lookup failed: the store does not answer ({error}). Scan again once it answers.</source>
        <translation>查找失败：数据存储没有响应（{error}）。恢复响应后请重新扫描。</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="140"/>
        <source>The lookup failed: {error}</source>
        <translation>查找失败：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="161"/>
        <source>{n} items match {scan}: choose one</source>
        <translation>{n} 件物品与 {scan} 匹配：请选择一件</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="168"/>
        <source>No item matches {scan}</source>
        <translation>没有与 {scan} 匹配的物品</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="294"/>
        <source>Cannot undo: {error}</source>
        <translation>无法撤销：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="333"/>
        <source>Update failed for {what}: {error}</source>
        <translation>{what} 的更新失败：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="284"/>
        <source>Not undone yet: {code} for {what} is being sent to Return Helper. Wait for its answer, then press Ctrl+Z again.</source>
        <translation>尚未撤销：{what} 的 {code} 正在发送到 Return Helper。请等待答复后再按 Ctrl+Z。</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="170"/>
        <source>it has characters no label has ({chars}): is the scanner set to the keyboard layout Windows uses?</source>
        <translation>其中有标签不会包含的字符（{chars}）：扫描枪的键盘布局是否与 Windows 的键盘布局一致？</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="180"/>
        <source>nothing readable</source>
        <translation>没有可读内容</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="180"/>
        <source>too long</source>
        <translation>太长</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="181"/>
        <source>not a label</source>
        <translation>不是标签</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="183"/>
        <source>Not a usable scan ({problem}): {scan}</source>
        <translation>无法使用的扫描（{problem}）：{scan}</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="186"/>
        <source>Same scan again within {ms} ms: ignored ({scan})</source>
        <translation>{ms} 毫秒内的重复扫描：已忽略（{scan}）</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="338"/>
        <source>Not sent yet, will retry {what}: {error}</source>
        <translation>尚未发送，将重试 {what}：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="342"/>
        <source>Another desk decided {what} first</source>
        <translation>另一个工作台已先处理 {what}</translation>
    </message>
    <message>
        <location filename="../../ui/window_handling.py" line="75"/>
        <source>Return Helper no longer offers it</source>
        <translation>Return Helper 已不再提供</translation>
    </message>
    <message>
        <location filename="../../ui/window_handling.py" line="76"/>
        <source>{code} can no longer be chosen for {what} ({reason}): nothing is selected, choose again.</source>
        <translation>{what} 已不能再选择 {code}（{reason}）：当前未选择任何处理方式，请重新选择。</translation>
    </message>
    <message>
        <location filename="../../ui/window_handling.py" line="38"/>
        <source>No handling types are known yet.</source>
        <translation>尚不知道任何处理方式。</translation>
    </message>
    <message>
        <location filename="../../ui/window_handling.py" line="40"/>
        <source>An update to {code} is {state}; wait for it before choosing again.</source>
        <translation>更新为 {code} 的请求{state}；请等待完成后再选择。</translation>
    </message>
    <message>
        <location filename="../../ui/window_handling.py" line="41"/>
        <source>cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/window_poll.py" line="104"/>
        <source>The store answers again.</source>
        <translation>数据存储已恢复响应。</translation>
    </message>
    <message>
        <location filename="../../ui/window_poll.py" line="97"/>
        <source>The store does not answer: {error}. The list is not updated, and scans and decisions fail, until it answers again.</source>
        <translation>数据存储没有响应：{error}。在它恢复响应之前，列表不会更新，扫描和处理决定也会失败。</translation>
    </message>
    <message>
        <location filename="../../ui/window_settings.py" line="117"/>
        <source>the API key and token are both needed</source>
        <translation>需要同时提供 API key 和 token</translation>
    </message>
    <message>
        <location filename="../../ui/window_settings.py" line="122"/>
        <source>connected: {n} handling types, {m} item(s) received in the last day</source>
        <translation>已连接：{n} 种处理方式，最近一天收到 {m} 件物品</translation>
    </message>
    <message>
        <location filename="../../ui/window_settings.py" line="99"/>
        <source>Saved. Environment and store changes apply after a restart.</source>
        <translation>已保存。环境和数据存储的更改在重启后生效。</translation>
    </message>
    <message>
        <location filename="../../ui/window_settings.py" line="101"/>
        <source>Settings saved.</source>
        <translation>设置已保存。</translation>
    </message>
    <message>
        <location filename="../../ui/window_settings.py" line="132"/>
        <source>image too large</source>
        <translation>图片太大</translation>
    </message>
    <message>
        <location filename="../../ui/window_settings.py" line="93"/>
        <source>Settings could not be saved: {error}</source>
        <translation>设置无法保存：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="41"/>
        <source>This computer's clock is {amount} behind Return Helper's.</source>
        <translation>本机时钟比 Return Helper 慢 {amount}。</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="43"/>
        <source>This computer's clock is {amount} ahead of Return Helper's.</source>
        <translation>本机时钟比 Return Helper 快 {amount}。</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="44"/>
        <source>Webhook events received here are refused as stale and times are shown wrong until it is corrected (Windows: Settings &gt; Time &amp; language &gt; Date &amp; time &gt; Sync now, and the time zone).</source>
        <translation>校正之前，本机收到的 Webhook 事件会因过期被拒收，显示的时间也不正确（Windows：设置 &gt; 时间和语言 &gt; 日期和时间 &gt; 立即同步，并检查时区）。</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="259"/>
        <source>Sync finished</source>
        <translation>同步完成</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="273"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="34"/>
        <source>{minutes} min</source>
        <translation>{minutes} 分钟</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="113"/>
        <source>Return Desk is not in front: scans go to another program. Click its window or press Alt+Tab to scan here again.</source>
        <translation>Return Desk 不在最前面：扫描会进入其他程序。请点击它的窗口或按 Alt+Tab 后再扫描。</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="190"/>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="247"/>
        <source>Continuing an interrupted sync</source>
        <translation>正在接续上次中断的同步</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="248"/>
        <source>Starting the sync</source>
        <translation>正在开始同步</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="283"/>
        <source>fetched</source>
        <translation>已获取</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="283"/>
        <source>changed</source>
        <translation>已变更</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="284"/>
        <source>records</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="284"/>
        <source>errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="302"/>
        <source>{parts} in {seconds} s</source>
        <translation>{parts}，用时 {seconds} 秒</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="321"/>
        <source>details of 1 item could not be read (the next sync asks for it first)</source>
        <translation>1 件物品的详情无法读取（下次同步会先读取它）</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="323"/>
        <source>details of {count} items could not be read (the next sync asks for them first)</source>
        <translation>{count} 件物品的详情无法读取（下次同步会先读取它们）</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="326"/>
        <source>WINIT return orders {first_day}..{last_day}, page {page}: {error}</source>
        <translation>WINIT 退货单 {first_day}..{last_day}，第 {page} 页：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="31"/>
        <source>{days} d {hours} h</source>
        <translation>{days} 天 {hours} 小时</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="33"/>
        <source>{hours} h {minutes} min</source>
        <translation>{hours} 小时 {minutes} 分钟</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="132"/>
        <source>Demo: built-in sandbox</source>
        <translation>演示：内置沙盒</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="165"/>
        <source>webhooks off</source>
        <translation>webhook 未运行</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="178"/>
        <source>A sync is already running.</source>
        <translation>同步已在进行中。</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="181"/>
        <source>Still connecting to Return Helper: sync again in a moment.</source>
        <translation>仍在连接 Return Helper：请稍后再同步。</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="184"/>
        <source>Sync needs Return Helper credentials (Settings).</source>
        <translation>同步需要 Return Helper 凭据（见设置）。</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="254"/>
        <source>Return Helper: {items} items</source>
        <translation>Return Helper：{items} 件物品</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="256"/>
        <source>WINIT: {orders} return orders</source>
        <translation>WINIT：{orders} 个退货单</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="294"/>
        <source>{listed} Return Helper items ({new} new, {details} details)</source>
        <translation>Return Helper 物品 {listed} 件（新增 {new} 件，读取详情 {details} 件）</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="296"/>
        <source>{changed} records changed</source>
        <translation>{changed} 条记录有变更</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="306"/>
        <source>{summary} (continued an interrupted sync)</source>
        <translation>{summary}（接续了上次中断的同步）</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="308"/>
        <source>; </source>
        <comment>between the reasons a sync did not finish</comment>
        <translation>；</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="310"/>
        <source>{summary}; did not finish: {reasons}; run the sync again to continue where it stopped</source>
        <translation>{summary}；未完成：{reasons}；请再次同步，从中断处继续</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="100"/>
        <source>Return Desk is in front again: scans come here.</source>
        <translation>Return Desk 已回到最前面：扫描会进入这里。</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="134"/>
        <source>Connecting to Return Helper…</source>
        <translation>正在连接 Return Helper…</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="154"/>
        <source>This computer's clock agrees with Return Helper's again.</source>
        <translation>本机时钟已与 Return Helper 一致。</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="162"/>
        <source>The webhook receiver is not running: it could not listen on {address} (is the port in use?). New parcels arrive only through Sync now; tell IT.</source>
        <translation>webhook 接收器未运行：无法在 {address} 上监听（端口是否被占用？）。新包裹只能通过“立即同步”获取；请告知 IT。</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="234"/>
        <source>{n} items</source>
        <translation>{n} 件物品</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="252"/>
        <source>Return Helper: {items} items, page {done} of {total}</source>
        <translation>Return Helper：{items} 件物品，第 {done} 页，共 {total} 页</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="298"/>
        <source>{orders} WINIT return orders</source>
        <translation>WINIT 退货单 {orders} 个</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="301"/>
        <source>{count} could not be read</source>
        <translation>{count} 项无法读取</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="303"/>
        <source>, </source>
        <comment>between the parts of a sync summary</comment>
        <translation>，</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="150"/>
        <source>clock {amount} off</source>
        <translation>时钟偏差 {amount}</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="213"/>
        <source>Sync failed: {error}</source>
        <translation>同步失败：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="140"/>
        <source>Offline: no Return Helper credentials</source>
        <translation>离线：没有 Return Helper 凭据</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="141"/>
        <source>Decisions wait in the outbox. Set the API key and token in Settings (Ctrl+,) and restart Return Desk.</source>
        <translation>处理决定在发件箱中等待。请在设置（Ctrl+,）中填写 API key 和 token，然后重启 Return Desk。</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="205"/>
        <source>Sync finished: {summary}</source>
        <translation>同步完成：{summary}</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="208"/>
        <source>Sync did not finish: {summary}</source>
        <translation>同步未完成：{summary}</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="136"/>
        <source>Return Helper {env}</source>
        <translation>Return Helper {env}</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="138"/>
        <source>Connection problem: {problem}</source>
        <translation>连接问题：{problem}</translation>
    </message>
    <message>
        <location filename="../../ui/window_status.py" line="218"/>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
</context>
<context>
    <name>ScanField</name>
    <message>
        <location filename="../../ui/scanfield.py" line="54"/>
        <source>Scan or type an RMA, tracking number, SKU or serial, then Enter</source>
        <translation>扫描或输入 RMA、跟踪号、SKU 或序列号，然后按回车</translation>
    </message>
    <message>
        <location filename="../../ui/scanfield.py" line="55"/>
        <source>Scan field</source>
        <translation>扫描框</translation>
    </message>
    <message>
        <location filename="../../ui/scanfield.py" line="56"/>
        <source>Scan a label or type an identifier and press Enter. Tab also ends a scan.</source>
        <translation>扫描标签或输入编号后按回车。Tab 键也会结束扫描。</translation>
    </message>
    <message>
        <location filename="../../ui/scanfield.py" line="58"/>
        <source>Scan field (F2)</source>
        <translation>扫描框 (F2)</translation>
    </message>
    <message>
        <location filename="../../ui/scanfield.py" line="61"/>
        <source>Clear the scan field</source>
        <translation>清空扫描框</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/settings_dialog.py" line="54"/>
        <source>Return Helper API key</source>
        <translation>Return Helper API 密钥 (key)</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="55"/>
        <source>Return Helper API token</source>
        <translation>Return Helper API 令牌 (token)</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="56"/>
        <source>Return Helper webhook signing key</source>
        <translation>Return Helper webhook 签名密钥</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="57"/>
        <source>WINIT app key</source>
        <translation>WINIT app key</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="58"/>
        <source>WINIT token</source>
        <translation>WINIT token</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="59"/>
        <source>WINIT client secret</source>
        <translation>WINIT client secret</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="60"/>
        <source>WINIT client id</source>
        <translation>WINIT client id</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="61"/>
        <source>WINIT endpoint token</source>
        <translation>WINIT 接收地址令牌</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="62"/>
        <source>Store password</source>
        <translation>数据库密码</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="68"/>
        <source>UAT (test)</source>
        <translation>UAT（测试）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="69"/>
        <source>Production</source>
        <translation>生产环境</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="70"/>
        <source>Production (China)</source>
        <translation>生产环境（中国）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="71"/>
        <source>Custom URLs</source>
        <translation>自定义地址</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="100"/>
        <source>Return Desk settings</source>
        <translation>Return Desk 设置</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="101"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="104"/>
        <source>Settings pages</source>
        <translation>设置页面</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="111"/>
        <source>Environment</source>
        <translation>环境</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="115"/>
        <source>&amp;Environment:</source>
        <translation>环境(&amp;E)：</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="117"/>
        <source>Custom user API URL</source>
        <translation>自定义用户 API 地址</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="119"/>
        <source>User API &amp;URL:</source>
        <translation>用户 API 地址(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="121"/>
        <source>Custom public API URL</source>
        <translation>自定义公共 API 地址</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="123"/>
        <source>&amp;Public API URL:</source>
        <translation>公共 API 地址(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="125"/>
        <source>Store</source>
        <translation>数据存储</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="126"/>
        <source>default: the SQLite file in your data folder</source>
        <translation>默认：数据文件夹中的 SQLite 文件</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="127"/>
        <source>&amp;Store:</source>
        <translation>数据存储(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="131"/>
        <source>Return Helper credentials (kept in the OS keyring)</source>
        <translation>Return Helper 凭据（保存在系统钥匙串中）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="136"/>
        <source>WINIT credentials (kept in the OS keyring)</source>
        <translation>WINIT 凭据（保存在系统钥匙串中）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="143"/>
        <source>Keyring state</source>
        <translation>钥匙串状态</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="151"/>
        <source>&amp;Test connection</source>
        <translation>测试连接(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="152"/>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="161"/>
        <source>Connection test result</source>
        <translation>连接测试结果</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="164"/>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="169"/>
        <source>Play a sound for every scan and result</source>
        <translation>每次扫描和结果都播放提示音</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="170"/>
        <source>Sounds</source>
        <translation>声音</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="172"/>
        <source>Sound:</source>
        <translation>声音：</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="173"/>
        <source>Sound an alarm when Return Desk is not in front (scans would go to another program)</source>
        <translation>Return Desk 不在最前面时发出警报音（扫描会进入其他程序）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="175"/>
        <source>Alarm when not in front</source>
        <translation>不在最前面时警报</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="182"/>
        <source>Scanner key interval</source>
        <translation>扫描枪按键间隔</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="183"/>
        <source>Keys closer together than this count as a scanner, slower keys as typing</source>
        <translation>按键间隔小于此值视为扫描枪输入，更慢的视为手工输入</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="185"/>
        <source>Scanner &amp;key interval up to:</source>
        <translation>扫描枪按键间隔上限(&amp;K)：</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="191"/>
        <source>Repeated scan window</source>
        <translation>重复扫描时间窗口</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="192"/>
        <source>The same scan again within this time is ignored</source>
        <translation>在此时间内重复的相同扫描将被忽略</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="193"/>
        <source>Ignore the same scan &amp;within:</source>
        <translation>忽略此时间内的相同扫描(&amp;W)：</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="195"/>
        <source>Scanner prefixes</source>
        <translation>扫描枪前缀</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="196"/>
        <source>comma-separated, e.g. ]C1</source>
        <translation>用逗号分隔，例如 ]C1</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="197"/>
        <source>Strip &amp;prefixes:</source>
        <translation>去除前缀(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="199"/>
        <source>Scanner suffixes</source>
        <translation>扫描枪后缀</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="200"/>
        <source>comma-separated</source>
        <translation>用逗号分隔</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="201"/>
        <source>Strip s&amp;uffixes:</source>
        <translation>去除后缀(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="203"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="207"/>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="209"/>
        <source>Operator name</source>
        <translation>操作员姓名</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="210"/>
        <source>&amp;Operator:</source>
        <translation>操作员(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="212"/>
        <source>Desk name</source>
        <translation>工作台名称</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="213"/>
        <source>&amp;Desk:</source>
        <translation>工作台(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="214"/>
        <source>Desk</source>
        <translation>工作台</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="219"/>
        <source>Settings problem</source>
        <translation>设置问题</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="244"/>
        <source>type a new value to replace it</source>
        <translation>输入新值以替换</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="246"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="357"/>
        <source>Testing…</source>
        <translation>正在测试…</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="370"/>
        <source>OK:</source>
        <translation>成功：</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="370"/>
        <source>Failed:</source>
        <translation>失败：</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="74"/>
        <source>Built-in sandbox (demo)</source>
        <translation>内置沙盒（演示）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="145"/>
        <source>No usable OS keyring: secrets are kept for this session only and must be entered again after a restart.</source>
        <translation>没有可用的系统钥匙串：密钥仅在本次会话中保存，重启后需要重新输入。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="275"/>
        <source>new value, saved on OK</source>
        <translation>新值，点击确定后保存</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="305"/>
        <source>Custom URLs need both the user API and the public API URL.</source>
        <translation>自定义地址需要同时填写用户 API 和公共 API 地址。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="347"/>
        <source>Testing is not available here.</source>
        <translation>此处无法测试。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="240"/>
        <source>{name}: state</source>
        <translation>{name}：状态</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="243"/>
        <source>New {name}</source>
        <translation>新的{name}</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="247"/>
        <source>Remove {name}</source>
        <translation>删除{name}</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="277"/>
        <source>will be removed on OK</source>
        <translation>点击确定后删除</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="279"/>
        <source>set</source>
        <translation>已设置</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="281"/>
        <source>not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="338"/>
        <source>Cannot save: {error}</source>
        <translation>无法保存：{error}</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <location filename="../../ui/main.py" line="344"/>
        <source>Return Desk cannot start</source>
        <translation>Return Desk 无法启动</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="398"/>
        <source>Return Desk is already open</source>
        <translation>Return Desk 已经打开</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="400"/>
        <source>Return Desk is already open on this computer for this store. Use that window (it may be minimised in the taskbar).</source>
        <translation>Return Desk 已在这台电脑上为此数据存储打开。请使用那个窗口（它可能已最小化到任务栏）。</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="193"/>
        <source>No Return Helper API key and token for {env} on this computer: this desk's store is open without Return Helper. Scans and the list work; decisions wait in the outbox. Set the key and token in Settings (Ctrl+,) and restart Return Desk to send them.</source>
        <translation>本机没有 {env} 的 Return Helper API key 和 token：本工作台的数据存储已打开，但未连接 Return Helper。扫描和列表可以正常使用；处理决定在发件箱中等待。请在设置（Ctrl+,）中填写 key 和 token 并重启 Return Desk，即可发送。</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="346"/>
        <source>The store could not be opened:

{error}

Check the store setting (the settings file, --store or RETURNDESK_STORE) or ask IT, then try again. Nothing was changed. Details are in the log: {folder}</source>
        <translation>无法打开数据存储：

{error}

请检查存储设置（设置文件、--store 或 RETURNDESK_STORE）或联系 IT，然后重试。未做任何更改。详细信息见日志：{folder}</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="262"/>
        <source>Return Desk could not connect: {error}. Scans and the list work; decisions wait in the outbox.</source>
        <translation>Return Desk 无法连接：{error}。扫描和列表可以使用；处理决定在发件箱中等待。</translation>
    </message>
</context>
<context>
    <name>Tasks</name>
    <message>
        <location filename="../../ui/tasks.py" line="237"/>
        <source>Return Desk: unexpected error</source>
        <translation>Return Desk：意外错误</translation>
    </message>
    <message>
        <location filename="../../ui/tasks.py" line="238"/>
        <source>Unexpected error report</source>
        <translation>意外错误报告</translation>
    </message>
    <message>
        <location filename="../../ui/tasks.py" line="240"/>
        <source>Something went wrong. Your work is kept: queued decisions stay in the outbox. Copy this report for support; it contains no passwords or keys.</source>
        <translation>出现了问题。您的工作已保留：排队的处理仍在发件箱中。请复制此报告提供给技术支持；报告中不含密码或密钥。</translation>
    </message>
    <message>
        <location filename="../../ui/tasks.py" line="248"/>
        <source>Error report text</source>
        <translation>错误报告内容</translation>
    </message>
    <message>
        <location filename="../../ui/tasks.py" line="251"/>
        <source>Copy report</source>
        <translation>复制报告</translation>
    </message>
</context>
</TS>
