# SPDX-License-Identifier: MIT
"""Access rules of the 'limited' user (an internal user without Sales rights), per version."""

SALE_ORDER_READ_GROUPS = {
    18: ['Inventory/User', 'Invoicing/Invoicing', 'Sales/Administrator', 'Sales/User: Own Documents Only',
         'Technical/Show Accounting Features - Readonly', 'Technical/Show Full Accounting Features',
         'User types/Portal'],
    19: ['Accounting/Invoicing', 'Inventory/User', 'Sales/Administrator', 'Sales/User: Own Documents Only',
         'Role / Portal', 'Show Accounting Features - Readonly', 'Show Full Accounting Features'],
}
SALE_ORDER_WRITE_GROUPS = {
    18: ['Invoicing/Invoicing', 'Sales/Administrator', 'Sales/User: Own Documents Only'],
    19: ['Accounting/Invoicing', 'Sales/Administrator', 'Sales/User: Own Documents Only'],
}
SALE_ORDER_CREATE_GROUPS = ['Sales/Administrator', 'Sales/User: Own Documents Only']
COMPANY_WRITE_GROUPS = ['Administration/Access Rights']


def install_access_rules(registry):
    major = 19 if registry.flavor.major >= 19 else 18     # 16 and 17: 18's lists
    sale = {'read': SALE_ORDER_READ_GROUPS[major], 'write': SALE_ORDER_WRITE_GROUPS[major],
            'create': SALE_ORDER_CREATE_GROUPS, 'unlink': SALE_ORDER_CREATE_GROUPS}
    company = {'write': COMPANY_WRITE_GROUPS, 'create': COMPANY_WRITE_GROUPS, 'unlink': COMPANY_WRITE_GROUPS}
    registry.denied[registry.flavor.limited_uid] = {
        'sale.order': sale, 'sale.order.line': sale, 'res.company': company}
