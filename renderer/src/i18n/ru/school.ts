/** The school's day shared between its stations: the other posts and tills, as a guard or cashier sees them. */
export default {
  postHeard: '{{name}}: данные на {{time}}',
  postNever: '{{name}}: данных ещё нет',
  postUnnamed: 'Другой пост',
  visitorAtPost: '{{post}}, {{time}}',
  noEntryToday: 'не отмечен на входе сегодня',
  tillOffline: 'Покупки на других кассах учтены по {{time}}',
  tillOfflineNever: 'Покупки на других кассах не видны: связи с сервером не было',
  absentFromGroup: 'не отмечен(а) на входе сегодня',
  leftSchool: 'вышел(а) из школы в {{time}}',
};
