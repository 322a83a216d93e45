# SPDX-License-Identifier: MIT
"""The session_info payload of /web/session/authenticate and get_session_info, per version.

The admin payloads captured from Odoo 18 and 19 (tests/wire, tests/wire/v19), adapted to the
session's user, and reshaped for 16 and 17 as tests/real-odoo/test_differential.py found them."""

import json

from .orm import Env


# Admin session_info returned by /web/session/authenticate (capture 10-session-authenticate-ok).
SESSION_INFO_18 = (
    '{"uid": 2, "is_system": true, "is_admin": true, "is_public": false, "is_internal_user": true, '
    '"user_context": {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}, "db": "acme", '
    '"user_settings": {"id": 1, "user_id": {"id": 2}, '
    '"is_discuss_sidebar_category_channel_open": true, '
    '"is_discuss_sidebar_category_chat_open": true, "push_to_talk_key": false, '
    '"use_push_to_talk": false, "voice_active_duration": 200, "channel_notifications": false, '
    '"mute_until_dt": false, "volumes": [["ADD", []]]}, "server_version": "18.0", '
    '"server_version_info": [18, 0, 0, "final", 0, ""], "support_url": "https://www.odoo.com/buy", '
    '"name": "Mitchell Admin", "username": "admin", "partner_write_date": "2026-11-22 13:22:13", '
    '"partner_display_name": "YourCompany, Mitchell Admin", "partner_id": 3, '
    '"web.base.url": "http://127.0.0.1:8069", "active_ids_limit": 20000, "profile_session": null, '
    '"profile_collectors": null, "profile_params": null, "max_file_upload_size": 134217728, '
    '"home_action_id": false, '
    '"cache_hashes": {"translations": "a61ba7e430612ddc8d637d3dad4501cf6291bb8c", '
    '"load_menus": "849b5a385b6b305233be5919659c3f9e5c7232a2933ed898e7377e91ac9d390b"}, '
    '"currencies": {"1": {"symbol": "$", "position": "before", "digits": [69, 2]}}, '
    '"bundle_params": {"lang": "en_US"}, "test_mode": false, '
    '"view_info": {"list": {"display_name": "List", "icon": "oi oi-view-list", '
    '"multi_record": true}, "form": {"display_name": "Form", "icon": "fa fa-address-card", '
    '"multi_record": false}, "graph": {"display_name": "Graph", "icon": "fa fa-area-chart", '
    '"multi_record": true}, "pivot": {"display_name": "Pivot", "icon": "oi oi-view-pivot", '
    '"multi_record": true}, "calendar": {"display_name": "Calendar", "icon": "fa fa-calendar", '
    '"multi_record": true}, "kanban": {"display_name": "Kanban", "icon": "oi oi-view-kanban", '
    '"multi_record": true}, "search": {"display_name": "Search", "icon": "oi oi-search", '
    '"multi_record": true}, "activity": {"display_name": "Activity", "icon": "fa fa-clock-o", '
    '"multi_record": true}}, "user_companies": {"current_company": 1, '
    '"allowed_companies": {"2": {"id": 2, "name": "My Company (Chicago)", "sequence": 10, '
    '"child_ids": [], "parent_id": false}, "1": {"id": 1, "name": "My Company (San Francisco)", '
    '"sequence": 0, "child_ids": [], "parent_id": false}}, "disallowed_ancestor_companies": {}}, '
    '"show_effect": true, "display_switch_company_menu": true, "max_time_between_keys_in_ms": 150, '
    '"websocket_worker_version": "18.0-2", "tour_enabled": false, "current_tour": null, '
    '"storeData": {"Store": {"action_discuss_id": 126, "channel_types_with_seen_infos": ["chat", '
    '"group"], "hasGifPickerFeature": false, "hasLinkPreviewFeature": true, '
    '"hasMessageTranslationFeature": false, "internalUserGroupId": 1, "mt_comment_id": 1, '
    '"odoobot": {"id": 2, "type": "partner"}, "self": {"id": 3, "type": "partner"}, '
    '"settings": {"id": 1, "user_id": {"id": 2}, "is_discuss_sidebar_category_channel_open": true, '
    '"is_discuss_sidebar_category_chat_open": true, "push_to_talk_key": false, '
    '"use_push_to_talk": false, "voice_active_duration": 200, "channel_notifications": false, '
    '"mute_until_dt": false, "volumes": [["ADD", []]]}}, "res.partner": [{"active": false, '
    '"email": "odoobot@example.com", "id": 2, "im_status": "bot", "isInternalUser": true, '
    '"is_company": false, "name": "OdooBot", "userId": 1, "write_date": "2026-11-22 13:22:13"}, '
    '{"active": true, "id": 3, "isAdmin": true, "isInternalUser": true, "name": "Mitchell Admin", '
    '"notification_preference": "email", "userId": 2, "write_date": "2026-11-22 13:22:13"}]}, '
    '"odoobot_initialized": false, "iap_company_enrich": true, '
    '"can_insert_in_spreadsheet": false}'
)

# Admin session_info returned by /web/session/authenticate (capture v19/140-session-authenticate-ok).
SESSION_INFO_19 = (
    '{"uid": 2, "is_system": true, "is_admin": true, "is_public": false, "is_internal_user": true, '
    '"user_context": {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}, "db": "acme19", '
    '"registry_hash": "871f8036a39995afb1af72d0427373b07536d41dba3bbdac3900d83adad35793", '
    '"user_settings": {"id": 1, "embedded_actions_config_ids": {}, '
    '"is_discuss_sidebar_category_channel_open": true, '
    '"is_discuss_sidebar_category_chat_open": true, "push_to_talk_key": false, '
    '"use_push_to_talk": false, "voice_active_duration": 200, "channel_notifications": false, '
    '"user_id": {"id": 2}, "volumes": [["ADD", []]]}, "server_version": "19.0", '
    '"server_version_info": [19, 0, 0, "final", 0, ""], "support_url": "https://www.odoo.com/buy", '
    '"name": "Mitchell Admin", "username": "admin", "quick_login": true, '
    '"partner_write_date": "2026-11-23 20:28:49", "partner_display_name": "YourCompany, '
    'Mitchell Admin", "partner_id": 3, "web.base.url": "http://127.0.0.1:8070", '
    '"active_ids_limit": 20000, "profile_session": null, "profile_collectors": null, '
    '"profile_params": null, "max_file_upload_size": 134217728, "home_action_id": false, '
    '"currencies": {"1": {"name": "USD", "symbol": "$", "position": "before", "digits": [69, 2]}}, '
    '"bundle_params": {"lang": "en_US"}, "test_mode": false, '
    '"view_info": {"list": {"display_name": "List", "icon": "oi oi-view-list", '
    '"multi_record": true}, "form": {"display_name": "Form", "icon": "fa fa-address-card", '
    '"multi_record": false}, "graph": {"display_name": "Graph", "icon": "fa fa-area-chart", '
    '"multi_record": true}, "pivot": {"display_name": "Pivot", "icon": "oi oi-view-pivot", '
    '"multi_record": true}, "calendar": {"display_name": "Calendar", "icon": "fa fa-calendar", '
    '"multi_record": true}, "kanban": {"display_name": "Kanban", "icon": "oi oi-view-kanban", '
    '"multi_record": true}, "search": {"display_name": "Search", "icon": "oi oi-search", '
    '"multi_record": true}, "activity": {"display_name": "Activity", "icon": "fa fa-clock-o", '
    '"multi_record": true}}, "groups": {"base.group_allow_export": true}, '
    '"user_companies": {"current_company": 1, "allowed_companies": {"3": {"id": 3, '
    '"name": "My Company (Chicago)", "sequence": 10, "child_ids": [], "parent_id": false, '
    '"currency_id": 1}, "2": {"id": 2, "name": "My US Company", "sequence": 10, "child_ids": [], '
    '"parent_id": false, "currency_id": 1}, "1": {"id": 1, "name": "My Company (San Francisco)", '
    '"sequence": 0, "child_ids": [], "parent_id": false, "currency_id": 1}}, '
    '"disallowed_ancestor_companies": {}}, "show_effect": true, '
    '"max_time_between_keys_in_ms": 150, "websocket_worker_version": "19.0-2", '
    '"tour_enabled": false, "current_tour": null, '
    '"storeData": {"Store": {"action_discuss_id": 125, "channel_types_with_seen_infos": ["chat", '
    '"group"], "hasCannedResponses": true, "hasGifPickerFeature": false, '
    '"hasLinkPreviewFeature": true, "hasMessageTranslationFeature": false, '
    '"internalUserGroupId": 1, "mt_comment": 1, "mt_note": 2, "odoobot": 2, "self_partner": 3, '
    '"settings": {"id": 1, "embedded_actions_config_ids": {}, '
    '"is_discuss_sidebar_category_channel_open": true, '
    '"is_discuss_sidebar_category_chat_open": true, "push_to_talk_key": false, '
    '"use_push_to_talk": false, "voice_active_duration": 200, "channel_notifications": false, '
    '"user_id": {"id": 2}, "volumes": [["ADD", []]]}}, "res.partner": [{"active": false, '
    '"avatar_128_access_token": "9f4a2562eb1100020f7aed85bdbf3eed0af97d0a77d34ce57fb89d09f19cdde4o0x6b2f2f51", '
    '"email": "odoobot@example.com", "id": 2, "im_status": "bot", '
    '"im_status_access_token": "999b7a9e2f265cf0a434cd76cbdbcc6c5576e0a7f0a642820c75165cf2dc385ao0x6b2ea475", '
    '"is_company": false, "main_user_id": 1, "name": "OdooBot", '
    '"write_date": "2026-11-23 20:28:49"}, {"active": true, '
    '"avatar_128_access_token": "fb61521665a328e4b750991d4ad05b6ad8f4f451d4e5bcae6d09a74bd75422c5o0x6b2f3078", '
    '"id": 3, "im_status": "offline", '
    '"im_status_access_token": "8616fdafe017c7730a3ceda0205121e1c303ce962578e5891445d457c4744ba9o0x6b2ea589", '
    '"main_user_id": 2, "name": "Mitchell Admin", "write_date": "2026-11-23 20:28:49"}], '
    '"res.users": [{"id": 1, "share": false}, {"id": 2, "is_admin": true, '
    '"notification_type": "email", "share": false, "signature": ["markup", '
    '"<div>Mitchell Admin</div>"]}]}, "iap_company_enrich": true, '
    '"can_insert_in_spreadsheet": false}'
)


# session_info keys of 18 that 16 (and 17) do not send, and the keys they send instead
SESSION_INFO_ONLY_18 = {
    16: ('can_insert_in_spreadsheet', 'current_tour', 'is_internal_user', 'is_public',
         'partner_write_date', 'storeData', 'test_mode', 'tour_enabled', 'user_settings',
         'view_info', 'websocket_worker_version'),
    17: ('can_insert_in_spreadsheet', 'company_id', 'current_tour', 'partner_write_date', 'storeData',
         'test_mode', 'tour_enabled', 'view_info'),
}
SESSION_INFO_BEFORE_18 = {
    16: {'company_id': 1, 'user_id': [2], 'notification_type': 'email', 'tour_disable': True,
         'web_tours': []},
    17: {'user_id': [2], 'notification_type': 'email', 'tour_disable': True, 'web_tours': [],
         'is_quick_edit_mode_enabled': False, 'websocket_worker_version': '17.0-1'},
}


def session_info(registry, base_url, session):
    """The admin session_info of the captures, adapted to the session's user (call it
    under registry.lock)."""
    flavor = registry.flavor
    v19 = flavor.v19
    info = json.loads(''.join(SESSION_INFO_19 if v19 else SESSION_INFO_18))
    users, partners = registry.tables['res.users'], registry.tables['res.partner']
    uid = session.uid
    urow = users.index[uid]
    partner_id = users.cols['partner_id'][urow]
    prow = partners.index.get(partner_id)
    env = Env(registry, uid)
    admin = uid == 2
    companies = set(users.cols['company_ids'][urow])
    info.update(uid=uid, is_system=admin, is_admin=admin, db=registry.db,
                name=users.cols['name'][urow], username=users.cols['login'][urow],
                partner_id=partner_id, partner_display_name=env['res.partner']._name_getter()(partner_id),
                partner_write_date=partners.cols['write_date'][prow][:19] if prow is not None else False)
    info['user_context']['uid'] = uid
    info['web.base.url'] = base_url
    settings = info['user_settings']
    settings.update(id=1 if admin else uid, user_id={'id': uid})
    user_companies = info['user_companies']
    user_companies['allowed_companies'] = {
        k: v for k, v in user_companies['allowed_companies'].items() if int(k) in companies}
    user_companies['current_company'] = users.cols['company_id'][urow]
    store = info['storeData']
    store['Store']['settings'] = dict(settings)
    me = store['res.partner'][1]
    me.update(id=partner_id, name=users.cols['name'][urow])
    if v19:
        store['Store']['self_partner'] = partner_id
        me['main_user_id'] = uid
        store['res.users'][1].update(id=uid, is_admin=admin, signature=[
            'markup', f'<div>{users.cols["name"][urow]}</div>'])
    else:
        store['Store']['self'] = {'id': partner_id, 'type': 'partner'}
        me.update(isAdmin=admin, userId=uid)
        info['display_switch_company_menu'] = len(companies) > 1
    if not admin:
        info.pop('iap_company_enrich', None)
    if flavor.major < 18:
        _before_18(info, flavor.major, uid, users.cols['company_id'][urow])
    return info


def _before_18(info, major, uid, company_id):
    """The session_info keys of 16 and 17 (compared with real servers by
    tests/real-odoo/test_differential.py): no mail store or tours of 18; 16 has no
    user settings and no company hierarchy either."""
    for key in SESSION_INFO_ONLY_18[major]:
        info.pop(key, None)
    settings = info.get('user_settings')
    if settings is not None:          # 17's mail settings
        for key in ('channel_notifications', 'mute_until_dt', 'volumes'):
            settings.pop(key, None)
        settings['volume_settings_ids'] = [['ADD', []]]
    if major == 16:
        companies = info['user_companies']
        companies.pop('disallowed_ancestor_companies', None)
        for company in companies['allowed_companies'].values():
            company.pop('child_ids', None)
            company.pop('parent_id', None)
    for key, value in SESSION_INFO_BEFORE_18[major].items():
        info[key] = value
    if 'company_id' in info:
        info['company_id'] = company_id
    if 'user_id' in info:
        info['user_id'] = [uid]
