export default {
  title: 'Настройка станции',
  modeTitle: 'Режим работы',
  modeGuard: 'Пост охраны',
  modeGuardHint: 'Турникет на входе: кто прошёл, тревоги, экстренный режим',
  modeCashier: 'Касса столовой',
  modeCashierHint: 'Меню, корзина, оплата картой с проверкой по фото',
  language: 'Язык',
  stationName: 'Название станции',
  readers: 'Считыватели',
  kiosk: 'Полноэкранный режим (киоск)',
  saved: 'Сохранено',
  done: 'Готово',
} as const;
