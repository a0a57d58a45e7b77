/** The school's day shared between its stations: the other posts and tills, as a guard or cashier sees them. */
export default {
  postHeard: '{{name}}: data as of {{time}}',
  postNever: '{{name}}: no data yet',
  postUnnamed: 'Another post',
  visitorAtPost: '{{post}}, {{time}}',
  noEntryToday: 'no entry recorded today',
  tillOffline: "Other tills' sales counted up to {{time}}",
  tillOfflineNever: "Other tills' sales are not seen: the server has not been reached",
  absentFromGroup: 'no entry recorded today',
  leftSchool: 'left school at {{time}}',
};
